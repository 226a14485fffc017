/**
 * `ecs-diag run`: starts a manual diagnostics execution with StartExecution and, with --wait, follows it
 * with DescribeExecution to its final status and prints where the run manifest is.
 * Works against AWS or the local sandbox (AWS_ENDPOINT_URL_SFN, as `npm start -- --keep` prints).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { parseRequest } from '#lib/request.ts';
import { manifestKey, runPrefix } from '#lib/s3-keys.ts';
import { sanitiseLabel } from '#lib/triggers/execution-name.ts';
import { oneLine } from '#local/run-report.ts';

export const description =
  'start a manual diagnostics run (--cluster C --service S [--script basic] [--wait])';

const USAGE = `usage: ecs-diag run --cluster NAME --service NAME [options]

  --cluster NAME            cluster name or ARN (required)
  --service NAME            service whose tasks to diagnose (required)
  --script NAME             catalog script (default: basic)
  --max-tasks N             how many tasks to sample
  --reason TEXT             why (recorded in the manifest)
  --wait                    follow the execution to its final status and print the manifest location
  --state-machine-arn ARN   default: $STATE_MACHINE_ARN
  --bucket NAME             output bucket, for the printed manifest location (default: $OUTPUT_BUCKET)
  --poll-ms N               DescribeExecution interval with --wait (default: 2000)
`;

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** Injectable for tests: the client and the clock. */
export interface RunDependencies {
  sfn?: SFNClient;
  out?: (line: string) => void;
  err?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Runs the command; returns the exit code (0 = started, or with --wait: SUCCEEDED). */
export async function run(argv: string[], deps: RunDependencies = {}): Promise<number> {
  const out = deps.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = deps.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        cluster: { type: 'string' },
        service: { type: 'string' },
        script: { type: 'string', default: 'basic' },
        'max-tasks': { type: 'string' },
        reason: { type: 'string' },
        wait: { type: 'boolean', default: false },
        'state-machine-arn': { type: 'string' },
        bucket: { type: 'string' },
        'poll-ms': { type: 'string', default: '2000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    err(`ecs-diag run: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const cluster = text('cluster');
  const service = text('service');
  const stateMachineArn = text('state-machine-arn') ?? process.env.STATE_MACHINE_ARN;
  for (const [flag, value] of [
    ['--cluster', cluster],
    ['--service', service],
  ] as const) {
    if (value === undefined || value.trim() === '') {
      err(`ecs-diag run: ${flag} is required\n${USAGE}`);
      return 2;
    }
  }
  if (stateMachineArn === undefined || stateMachineArn === '') {
    err('ecs-diag run: no state machine: pass --state-machine-arn or set STATE_MACHINE_ARN');
    return 2;
  }
  const maxTasksText = text('max-tasks');
  const maxTasks = maxTasksText === undefined ? undefined : Number(maxTasksText);
  if (maxTasks !== undefined && !Number.isInteger(maxTasks)) {
    err(`ecs-diag run: --max-tasks must be a whole number (got ${JSON.stringify(maxTasksText)})`);
    return 2;
  }
  const pollMs = Number(text('poll-ms'));
  if (!Number.isInteger(pollMs) || pollMs < 10) {
    err('ecs-diag run: --poll-ms must be a whole number of at least 10');
    return 2;
  }

  let request: ReturnType<typeof parseRequest>;
  try {
    request = parseRequest({
      cluster,
      service,
      script: text('script'),
      ...(maxTasks !== undefined ? { maxTasks } : {}),
      reason: text('reason') ?? 'manual run (ecs-diag run)',
      source: { type: 'manual' },
    });
  } catch (error) {
    err(`ecs-diag run: invalid request: ${(error as Error).message}`);
    return 2;
  }

  const sfn = deps.sfn ?? new SFNClient({});
  const at = new Date();
  const name = `manual-${stamp(at)}-${sanitiseLabel(`${lastSegment(cluster ?? '')}-${service}`, 50)}-${randomBytes(3).toString('hex')}`;
  try {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(request) }),
    );
    const executionArn = started.executionArn ?? '';
    out(executionArn);
    if (!values.wait) return 0;

    let described: DescribeExecutionCommandOutput;
    for (;;) {
      described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (FINAL.has(described.status ?? '')) break;
      await sleep(pollMs);
    }
    out(`status: ${described.status}`);
    if (described.error !== undefined) out(`error: ${described.error}`);
    if (described.cause !== undefined) out(`cause: ${oneLine(causeMessage(described.cause), 500)}`);
    const key = manifestKey(
      runPrefix(described.startDate ?? started.startDate ?? at, described.name ?? name),
    );
    const bucket = text('bucket') ?? process.env.OUTPUT_BUCKET;
    out(`manifest: ${bucket ? `s3://${bucket}/${key}` : key}`);
    return described.status === 'SUCCEEDED' ? 0 : 1;
  } catch (error) {
    err(`ecs-diag run: ${(error as Error).name}: ${(error as Error).message}`);
    return 1;
  } finally {
    if (deps.sfn === undefined) sfn.destroy();
  }
}

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:]/g, '');
}

function lastSegment(value: string): string {
  return value.split('/').pop() ?? value;
}

/** A Lambda error's cause is the JSON `{errorType, errorMessage, trace}`: its message is what a person needs. */
function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: a Fail state's Cause or a bare message
  }
  return cause;
}
