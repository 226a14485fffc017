/**
 * `npm start`: the whole pipeline on this machine. Starts the local emulators, sends a sample alarm through
 * the real start-run handler, follows the execution of the real state machine definition (real handlers,
 * real data-channel protocol, real S3 API) to its final status, prints a per-target summary and downloads
 * the manifest and outputs to .sandbox/<execution-name>/.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE_TEMPLATE = `usage: npm start -- [options]

  --event FILE   the trigger event to send through start-run
                 (default: events/eventbridge-alarm-ecs-cpu-single-metric.json)
  --world FILE   the sandbox world: clusters, services, tasks, alarms (default: local/world.json);
                 \`fleet\` generates 1000 tasks over 50 services in 2 clusters (\`fleet:TASKS:SERVICES:CLUSTERS\`)
                 and, unless --event or --request is given, runs a sweep of all of them
  --request JSON a DiagnosticsRequest (JSON text or a file) started directly with StartExecution,
                 as a schedule or \`aws stepfunctions start-execution\` would (instead of an event)
  --faults [NAME[,NAME]]
                 fault switches (a bare --faults is \`demo\`):
FAULT_LIST
  --keep         keep the sandbox running after the run, for ecs-diag run / dry-run against it
  --verbose      the handlers' INFO logs
  -h, --help     this text
`;

const { NAMED_FAULTS, resolveFaults } = await import('./pipeline.ts');
const USAGE = USAGE_TEMPLATE.replace(
  'FAULT_LIST\n',
  Object.entries(NAMED_FAULTS)
    .map(
      ([name, fault]) =>
        `                   ${name.padEnd(Math.max(...Object.keys(NAMED_FAULTS).map((n) => n.length)))}  ${fault.description}\n`,
    )
    .join(''),
);

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

function fail(message: string): never {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(1);
}

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 5)) {
  fail(
    `the local sandbox needs Node >= 22.5 (this is ${process.versions.node}). Run it with \`npm start\`, which uses the project's Node 24 from node_modules/.bin/node (npm ci installs it).`,
  );
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      event: { type: 'string' },
      world: { type: 'string' },
      request: { type: 'string' },
      faults: { type: 'string' },
      keep: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
    args: bareFaultsAsDemo(process.argv.slice(2)),
  });
}

/** Today's bare `--faults` (no name after it) keeps meaning the demo faults. */
function bareFaultsAsDemo(argv: string[]): string[] {
  return argv.map((arg, index) => {
    const next = argv[index + 1];
    return arg === '--faults' && (next === undefined || next.startsWith('-')) ? '--faults=demo' : arg;
  });
}
try {
  args = parse();
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
if (args.values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const faultNames = args.values.faults === undefined ? [] : args.values.faults.split(',').filter(Boolean);
try {
  resolveFaults(faultNames);
} catch (error) {
  fail((error as Error).message);
}

const root = join(import.meta.dirname, '..');
const { DescribeExecutionCommand, SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
const { loadWorld } = await import('./world.ts');
const { generateFleetWorld, fleetSweepRequest, parseFleetSpec } = await import('./fleet-world.ts');
const { keySegment } = await import('#lib/s3-keys.ts');
const { startSandbox, LOCAL_RETRY_INTERVALS_MS, DEMO_FAULTS } = await import('./pipeline.ts');
const { presentReport } = await import('./report-page.ts');
const { collectOutcome, downloadRun, formatOutcome, formatPublished, normaliseError, oneLine, publishedFor } =
  await import('./run-report.ts');
const { writeFile, mkdir } = await import('node:fs/promises');
type JournalEntry = import('./pipeline.ts').JournalEntry;
type Sandbox = import('./pipeline.ts').Sandbox;

const out = (line = '') => process.stdout.write(`${line}\n`);

function readEvent(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail(`--event ${file}: ${(error as Error).message}`);
  }
}

function readRequest(value: string): unknown {
  try {
    return JSON.parse(value.trimStart().startsWith('{') ? value : readFileSync(value, 'utf8'));
  } catch (error) {
    return fail(`--request ${value.slice(0, 100)}: ${(error as Error).message}`);
  }
}

let diagnosticCalls = 0;
/** One line per handler call; past the first 20 RunDiagnostic calls, errors and every 100th only. */
function progress(entry: JournalEntry): void {
  if (entry.state.startsWith('RunDiagnostic')) {
    diagnosticCalls += 1;
    if (diagnosticCalls > 20 && entry.error === undefined) {
      if (diagnosticCalls % 100 === 0) out(`  · … ${diagnosticCalls} RunDiagnostic calls so far`);
      return;
    }
  }
  const input = entry.input as { target?: { taskArn?: string; container?: string } } | null;
  const what =
    entry.state.startsWith('RunDiagnostic') && input?.target
      ? `${entry.state} ${input.target.taskArn?.split('/').pop()?.slice(0, 8)}…/${input.target.container}`
      : entry.state;
  const result = entry.error
    ? `${entry.error.name}: ${oneLine(entry.error.message, 160)}`
    : ((entry.output as { status?: string } | null)?.status ?? 'ok');
  out(`  · ${what.padEnd(48)} ${result} (${entry.ms} ms)`);
}

/** Follows one execution through the SFN API (as a user would) and reports it; true when it SUCCEEDED. */
async function follow(
  sandbox: Sandbox,
  sfn: InstanceType<typeof SFNClient>,
  executionArn: string,
  firstSession: number,
): Promise<boolean> {
  let described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  while (!FINAL.has(described.status ?? '')) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  const name = described.name ?? executionArn.split(':').pop() ?? 'execution';
  out();
  out(`Execution ${name}: ${described.status}`);
  if (described.status !== 'SUCCEEDED') {
    const error = normaliseError({ Error: described.error ?? 'unknown', Cause: described.cause ?? '' });
    const failedState = sandbox.journal.filter((e) => e.executionName === name && e.error).at(-1)?.state;
    out(`  error: ${error?.name}: ${oneLine(error?.message ?? '')}`);
    if (failedState) out(`  last failing state: ${failedState}`);
  }
  const sessions = sandbox.ecs.executions.slice(firstSession).map((e) => sandbox.agent.report(e.sessionId));
  if (sessions.length > 0) {
    const violations = sessions.flatMap((report) => report.violations);
    const each =
      sessions.length <= 10
        ? sessions.map((r) => `${r.state} ${r.outputBytes} B/${r.messages} msgs/${r.resends} resends`)
        : [
            `${[...new Set(sessions.map((r) => r.state))].join('/')}, ${sessions.reduce((n, r) => n + r.outputBytes, 0)} B, ${sessions.reduce((n, r) => n + r.messages, 0)} msgs, ${sessions.reduce((n, r) => n + r.resends, 0)} resends in all`,
          ];
    out(
      `Data channel (agent side): ${sessions.length} session(s): ${each.join('; ')}; ${violations.length} protocol violation(s) by the client${violations.length ? `: ${oneLine(violations.slice(0, 3).join(' | '))}` : ''}`,
    );
  }
  out('Targets:');
  for (const line of formatOutcome(collectOutcome(sandbox.journal, name))) out(line);
  // The folder name goes through keySegment: an execution name such as `..` must never reach rmSync.
  const destination = join(root, '.sandbox', keySegment(name));
  rmSync(destination, { recursive: true, force: true });
  const files = await downloadRun(sandbox.s3.client(sandbox.world.region), sandbox.bucket, name, destination);
  out(
    files.length > 0
      ? `Downloaded ${files.length} object(s) to ${destination}/:\n${files
          .slice(0, 20)
          .map((f) => `  ${f}`)
          .join('\n')}${files.length > 20 ? `\n  … and ${files.length - 20} more` : ''}`
      : `No objects were written under the run's prefix in s3://${sandbox.bucket}/ (nothing to download).`,
  );
  for (const line of await presentReport(destination)) out(line);
  const published = publishedFor(sandbox.eventbridge.events, sandbox.sns.messages, name);
  out('Published (EventBridge and SNS emulators):');
  for (const line of formatPublished(published)) out(line);
  await mkdir(destination, { recursive: true });
  await writeFile(join(destination, 'events.json'), `${JSON.stringify(published.events, null, 2)}\n`);
  await writeFile(
    join(destination, 'notifications.json'),
    `${JSON.stringify(published.notifications, null, 2)}\n`,
  );
  out(`  kept in ${destination}/events.json and notifications.json`);
  return described.status === 'SUCCEEDED';
}

function printExports(sandbox: Sandbox): void {
  out();
  out('The sandbox keeps running (Ctrl-C stops it). Point the CLI at it from another shell:');
  const keys = [
    'AWS_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ENDPOINT_URL_SFN',
    'AWS_ENDPOINT_URL_ECS',
    'AWS_ENDPOINT_URL_S3',
    'AWS_S3_FORCE_PATH_STYLE',
    'AWS_ENDPOINT_URL_SSM',
    'AWS_ENDPOINT_URL_KMS',
    'AWS_ENDPOINT_URL_CLOUDWATCH',
    'AWS_ENDPOINT_URL_IAM',
    'AWS_ENDPOINT_URL_EC2',
    'EXEC_ROLE_ARN',
    'STATE_MACHINE_ARN',
    'OUTPUT_BUCKET',
    'ALLOWED_CLUSTERS',
  ];
  for (const key of keys) out(`  export ${key}=${sandbox.env[key] ?? ''}`);
  const cluster = sandbox.world.clusters[0];
  const service = cluster?.services[0];
  if (cluster && service) {
    out(`  npx ecs-diag run --cluster ${cluster.name} --service ${service.name} --script basic --wait`);
    out('  npx ecs-diag dry-run --event events/eventbridge-alarm-composite.json --resolve');
  }
}

async function main(): Promise<number> {
  const fleet = (() => {
    try {
      return args.values.world === undefined ? undefined : parseFleetSpec(args.values.world);
    } catch (error) {
      return fail((error as Error).message);
    }
  })();
  const world = (() => {
    try {
      if (fleet !== undefined) return generateFleetWorld(fleet);
      return loadWorld(args.values.world ?? join(root, 'local', 'world.json'));
    } catch (error) {
      return fail((error as Error).message);
    }
  })();
  const request =
    args.values.request !== undefined
      ? readRequest(args.values.request)
      : fleet !== undefined && args.values.event === undefined
        ? fleetSweepRequest(fleet)
        : undefined;
  const eventFile = args.values.event ?? join(root, 'events', 'eventbridge-alarm-ecs-cpu-single-metric.json');
  const event = request === undefined ? readEvent(eventFile) : undefined;

  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      world,
      faults: faultNames,
      logLevel: args.values.verbose ? 'INFO' : 'WARN',
      onJournal: progress,
    });
  } catch (error) {
    return fail(`the sandbox did not start: ${(error as Error).message}`);
  }
  const stop = async (code: number) => {
    await sandbox.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(130));
  process.once('SIGTERM', () => void stop(143));

  out('Local sandbox (loopback only):');
  for (const [name, endpoint] of Object.entries(sandbox.endpoints)) out(`  ${name.padEnd(12)} ${endpoint}`);
  out(`  bucket       s3://${sandbox.bucket}`);
  out(`  state machine ${sandbox.stateMachineArn}`);
  out(
    `Retry delays are shortened locally (the definition's backoff is seconds to minutes): ${Object.entries(
      LOCAL_RETRY_INTERVALS_MS,
    )
      .map(([state, ms]) => `${state} ${ms} ms`)
      .join(', ')}.`,
  );
  for (const name of faultNames) out(`Fault ${name}: ${NAMED_FAULTS[name]?.description}.`);
  if (faultNames.includes('demo')) {
    out(
      `Demo faults: TargetNotConnectedException for the first ${DEMO_FAULTS.ecs.targetNotConnectedAttempts} ExecuteCommand attempts per task; each task's first session drops after ${DEMO_FAULTS.ecs.interruptFirstSessionAfter} messages; data channel ${JSON.stringify(DEMO_FAULTS.session)}.`,
    );
  }
  out();
  const sfn = new SFNClient({ endpoint: sandbox.endpoints.sfn, region: world.region });
  let exitCode = 1;
  if (request !== undefined) {
    out(`Starting a run of ${oneLine(JSON.stringify(request), 300)} …`);
    try {
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: sandbox.stateMachineArn,
          name: `sweep-${new Date().toISOString().replace(/[-:.]/g, '')}`,
          input: JSON.stringify(request),
        }),
      );
      exitCode = (await follow(sandbox, sfn, started.executionArn ?? '', 0)) ? 0 : 1;
    } catch (error) {
      const described = normaliseError(error) ?? { name: 'Error', message: String(error) };
      out(`StartExecution failed: ${described.name}: ${oneLine(described.message)}`);
    }
  } else
    try {
      const firstSession = sandbox.ecs.executions.length;
      const started = (await sandbox.invoke('start-run', event)) as {
        runs?: Array<{ outcome: string; executionArn?: string; executionName?: string; reason?: string }>;
      };
      const runs = started?.runs ?? [];
      if (runs.length === 0) out('start-run started nothing (no run in its answer).');
      let allSucceeded = runs.length > 0;
      for (const run of runs) {
        out(
          `start-run: ${run.outcome} ${run.executionName ?? ''}${run.reason ? ` (${oneLine(run.reason)})` : ''}`,
        );
        if (run.outcome !== 'started' || run.executionArn === undefined) {
          allSucceeded = false;
          continue;
        }
        const succeeded = await follow(sandbox, sfn, run.executionArn, firstSession);
        allSucceeded &&= succeeded;
      }
      const startedAny = runs.some((run) => run.outcome === 'started' && run.executionArn !== undefined);
      // The CLI's exit codes (README): 0 succeeded, 1 not, 3 nothing to do (every notification ignored).
      exitCode = allSucceeded ? 0 : !startedAny && runs.some((run) => run.outcome === 'ignored') ? 3 : 1;
      out();
      if (allSucceeded) out('The run succeeded.');
      else if (!startedAny) out("No execution was started: see start-run's answer above.");
      else out('The run did not succeed: see above for the failing state and why.');
    } catch (error) {
      const described = normaliseError(error) ?? { name: 'Error', message: String(error) };
      out(`start-run failed: ${described.name}: ${oneLine(described.message)}`);
    }

  if (!args.values.keep) {
    sfn.destroy();
    await sandbox.close();
    return exitCode;
  }
  printExports(sandbox);
  const reported = new Set(sandbox.sfn.executions().map((execution) => execution.executionArn));
  for (;;) {
    for (const execution of sandbox.sfn.executions()) {
      if (reported.has(execution.executionArn)) continue;
      reported.add(execution.executionArn);
      out(`\nNew execution ${execution.name} …`);
      // Sessions opened from here on are counted for it (approximate when runs overlap).
      void follow(sandbox, sfn, execution.executionArn, sandbox.ecs.executions.length).catch(
        (error: unknown) => {
          out(`  could not report ${execution.name}: ${oneLine(String(error))}`);
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

process.exitCode = await main();
