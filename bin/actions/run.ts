/**
 * `ecs-diag run` (its flags: bin/commands/run.ts): starts a manual diagnostics execution (StartExecution)
 * and, with --wait, follows it: live progress from the execution history, then the per-target table from the
 * manifest, the report's location and, when it did not succeed, the reason. Exit 0 only when every target
 * succeeded.
 */
import { randomBytes } from 'node:crypto';
import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describeError } from '#lib/errors.ts';
import { parseRequest } from '#lib/request.ts';
import { lastArnSegment, manifestKey, runPrefix } from '#lib/s3-keys.ts';
import { sanitiseLabel } from '#lib/triggers/execution-name.ts';
import { awsError, clientConfig, resolveResources } from '../cli/aws.ts';
import { CliError, EXIT } from '../cli/exit-codes.ts';
import { cell, json } from '../cli/io.ts';
import { formatManifest } from '../cli/manifest-view.ts';
import { progressLines, targetProgress } from '../cli/progress.ts';
import { clients, describeRun, manifestOf, type RunRef } from '../cli/runs.ts';
import type { RunOptions } from '../commands/run.ts';
import type { CommandContext } from '../program.ts';

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** The execution name of a manual run: `manual-<utc stamp>-<cluster>-<service or task>-<random>`. */
export function manualExecutionName(cluster: string, what: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:]/g, '');
  return `manual-${stamp}-${sanitiseLabel(`${lastArnSegment(cluster)}-${what}`, 50)}-${randomBytes(3).toString('hex')}`;
}

/** A Lambda error's cause is the JSON `{errorType, errorMessage, trace}`: its message is what a person needs. */
function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // a Fail state's Cause or a bare message
  }
  return cause;
}

async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Follows the execution to a final status, printing each change of a target's progress to stderr. */
async function follow(
  sfn: SFNClient,
  executionArn: string,
  context: CommandContext,
  pollMs: number,
): Promise<RunRef> {
  let shown = '';
  let historyDenied = false;
  for (;;) {
    const run = await describeRun(sfn, executionArn);
    if (!historyDenied) {
      try {
        const lines = progressLines(targetProgress(await history(sfn, executionArn)));
        const text = lines.join('\n');
        if (text !== '' && text !== shown) {
          context.io.err(`[${new Date().toISOString().slice(11, 19)}] ${run.status}\n${text}`);
          shown = text;
        }
      } catch (error) {
        historyDenied = true;
        context.io.err(`(no live progress: states:GetExecutionHistory failed: ${describeError(error).name})`);
      }
    }
    if (FINAL.has(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Runs `run`: starts the execution; with --wait follows it and prints what it found. */
export async function startRun(options: RunOptions, context: CommandContext): Promise<void> {
  if ((options.service === undefined) === (options.task === undefined)) {
    throw new CliError(
      'give --service NAME or --task ID (one or more), not both and not neither',
      EXIT.usage,
    );
  }
  let request: ReturnType<typeof parseRequest>;
  try {
    request = parseRequest({
      cluster: options.cluster,
      ...(options.service !== undefined ? { service: options.service } : {}),
      ...(options.task !== undefined ? { tasks: options.task } : {}),
      ...(options.container !== undefined ? { container: options.container } : {}),
      ...(options.script !== undefined ? { script: options.script } : {}),
      ...(options.maxTasks !== undefined ? { maxTasks: options.maxTasks } : {}),
      reason: options.reason ?? 'manual run (ecs-diag run)',
      source: { type: 'manual' },
    });
  } catch (error) {
    const field = (error as { field?: unknown }).field;
    const flag =
      typeof field === 'string'
        ? ` (--${field.split('.')[0]?.replace('maxTasks', 'max-tasks').replace('tasks', 'task')})`
        : '';
    throw new CliError(`invalid request${flag}: ${(error as Error).message}`, EXIT.usage);
  }
  const globals = context.globals();
  const resources = await resolveResources(
    { ...globals, ...options },
    options.wait ? ['stateMachineArn', 'bucket'] : ['stateMachineArn'],
  );
  const stateMachineArn = resources.stateMachineArn ?? '';
  const { sfn, s3 } = clients(clientConfig(globals));
  try {
    const at = new Date();
    const name = manualExecutionName(options.cluster, options.service ?? `${options.task?.length}-tasks`, at);
    const started = await sfn
      .send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(request) }))
      .catch((error: unknown) => {
        throw awsError('states:StartExecution', stateMachineArn, error);
      });
    const executionArn = started.executionArn ?? '';
    if (!options.wait) {
      context.io.out(options.json ? json({ executionArn, name }) : executionArn);
      return;
    }
    context.io.err(`started ${executionArn}`);
    const run = await follow(sfn, executionArn, context, options.pollMs);
    const found = await manifestOf(s3, resources.bucket ?? '', run);
    if (options.json) {
      context.io.out(json({ executionArn, status: run.status, manifest: found?.manifest ?? null }));
    } else if (found) {
      context.io.out(formatManifest(found.manifest, `s3://${resources.bucket}/${found.key}`));
      const report = found.manifest.files?.report;
      if (report) context.io.out(`report:   s3://${resources.bucket}/${report}`);
      context.io.out(
        `show it:  ecs-diag show ${run.name}${found.manifest.files?.report ? ' --download .' : ''}`,
      );
    } else {
      context.io.out(`status: ${run.status}`);
      context.io.out(
        `manifest: none found at s3://${resources.bucket}/${manifestKey(runPrefix(run.startDate, run.name))}`,
      );
    }
    if (run.status !== 'SUCCEEDED' && !options.json) {
      const reason = found?.manifest.errors[0];
      if (reason) context.io.err(`why: ${cell(reason.name)}: ${cell(reason.message, 2000)}`);
      else if (run.error)
        context.io.err(
          `why: ${cell(run.error)}${run.cause ? `: ${cell(causeMessage(run.cause), 2000)}` : ''}`,
        );
    }
    const everySucceeded =
      run.status === 'SUCCEEDED' &&
      found !== undefined &&
      found.manifest.targets.length > 0 &&
      found.manifest.targets.every((target) => target.status === 'succeeded');
    context.exit(everySucceeded ? EXIT.ok : EXIT.notOk);
  } finally {
    sfn.destroy();
    s3.destroy();
  }
}
