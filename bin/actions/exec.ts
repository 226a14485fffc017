/**
 * `ecs-diag exec` (its flags: bin/commands/exec.ts): runs a command in a container through ECS ExecuteCommand
 * with our data-channel client, streams its output to the terminal and exits with the command's own exit code;
 * 130 on Ctrl-C (the session is terminated), 124 when --timeout cuts it. The container and the
 * TargetNotConnected retries follow the pipeline's rules (chooseContainers; the state machine's RunDiagnostic
 * Retry policy, full jitter).
 */
import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ExecuteCommandCommand,
  type ExecuteCommandCommandOutput,
  type Task,
} from '@aws-sdk/client-ecs';
import { MARKER_PREFIX, newNonce, quoteWord } from '#lib/capture/command.ts';
import { ExitMarkerParser } from '#lib/capture/exit-marker.ts';
import { describeError } from '#lib/errors.ts';
import { lastArnSegment } from '#lib/s3-keys.ts';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { chooseContainers } from '#lib/targets/selection.ts';
import { awsError, clientConfig } from '../cli/aws.ts';
import { CliError, EXIT } from '../cli/exit-codes.ts';
import { keepYoungGenerationSmall } from '../cli/memory.ts';
import { retryDelayUpperBound } from '../cli/progress.ts';
import type { ExecOptions } from '../commands/exec.ts';
import type { CommandContext } from '../program.ts';

/** The ExecuteCommand command for argv: the words run as given, then our exit-status marker. */
export function execCommandLine(argv: readonly string[], nonce: string): string {
  const wrapper = `"$@" </dev/null; printf '%s%s=%s\\n' ${MARKER_PREFIX} ${nonce} "$?"`;
  return ['/bin/sh', '-c', wrapper, 'ecs-diag', ...argv].map(quoteWord).join(' ');
}

/** The one container to run in: --container, or the only container the pipeline would choose. */
export function pickContainer(
  task: Task,
  requested: string | undefined,
  definition?: Parameters<typeof chooseContainers>[2],
): { name: string; runtimeId?: string } {
  const choices = chooseContainers(task, requested, definition);
  const chosen = choices.flatMap((choice) => ('container' in choice ? [choice.container] : []));
  const first = chosen[0];
  if (first?.name !== undefined && chosen.length === 1) {
    return { name: first.name, ...(first.runtimeId ? { runtimeId: first.runtimeId } : {}) };
  }
  if (chosen.length > 1) {
    throw new CliError(
      `task ${lastArnSegment(task.taskArn ?? '')} has several application containers (${chosen.map((c) => c.name).join(', ')}): pick one with --container`,
      EXIT.usage,
    );
  }
  const reasons = choices.flatMap((choice) => ('skipped' in choice ? [choice.skipped.reason] : []));
  throw new CliError(
    `no container to run in: ${reasons.join('; ') || 'the task has no containers'}`,
    EXIT.aws,
  );
}

async function describeTarget(ecs: ECSClient, options: ExecOptions) {
  const where = `task ${options.task} in cluster ${options.cluster}`;
  const described = await ecs
    .send(new DescribeTasksCommand({ cluster: options.cluster, tasks: [options.task] }))
    .catch((error: unknown) => {
      throw awsError('ecs:DescribeTasks', where, error);
    });
  const task = described.tasks?.[0];
  if (task === undefined) {
    const reason = described.failures?.[0]?.reason ?? 'MISSING';
    throw new CliError(
      `no ${where} (${reason}): check the task id and the cluster (ecs-diag runs, aws ecs list-tasks)`,
      EXIT.aws,
    );
  }
  const definition = task.taskDefinitionArn
    ? (
        await ecs
          .send(new DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn }))
          .catch(() => undefined)
      )?.taskDefinition
    : undefined;
  const clusters = await ecs
    .send(new DescribeClustersCommand({ clusters: [options.cluster], include: ['CONFIGURATIONS'] }))
    .catch((error: unknown) => {
      throw awsError('ecs:DescribeClusters', `cluster ${options.cluster}`, error);
    });
  const kmsKeyId = clusters.clusters?.[0]?.configuration?.executeCommandConfiguration?.kmsKeyId || undefined;
  return { task, definition, kmsKeyId };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Runs `exec`: the command in the container, its output to stdout; records its exit code. */
export async function execCommand(
  argv: string[],
  options: ExecOptions,
  context: CommandContext,
): Promise<void> {
  keepYoungGenerationSmall();
  const { io } = context;
  const config = clientConfig(context.globals());
  const ecs = new ECSClient(config);
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  try {
    const { task, definition, kmsKeyId } = await describeTarget(ecs, options);
    const container = pickContainer(task, options.container, definition);
    const nonce = newNonce();
    const command = execCommandLine(argv, nonce);
    let session: ExecuteCommandCommandOutput['session'];
    for (let attempt = 1; ; attempt += 1) {
      try {
        session = (
          await ecs.send(
            new ExecuteCommandCommand({
              cluster: options.cluster,
              task: options.task,
              container: container.name,
              interactive: true,
              command,
            }),
          )
        ).session;
        break;
      } catch (error) {
        const { name, message } = describeError(error);
        const bound =
          name === 'TargetNotConnectedException' ? retryDelayUpperBound(name, attempt) : undefined;
        if (bound === undefined || attempt > options.retries) {
          throw awsError('ecs:ExecuteCommand', `container ${container.name} of task ${options.task}`, error);
        }
        const delay = Math.round(Math.random() * bound * 1000);
        io.err(
          `ecs-diag exec: ${name}: ${message.slice(0, 200)}; retry ${attempt}/${options.retries} in ${(delay / 1000).toFixed(1)} s`,
        );
        await sleep(delay, stop.signal);
        if (stop.signal.aborted) {
          io.err('ecs-diag exec: interrupted before the session started');
          context.exit(EXIT.interrupted);
          return;
        }
      }
    }
    if (!session?.sessionId || !session.streamUrl || !session.tokenValue) {
      throw new CliError(
        'ExecuteCommand returned no session (sessionId, streamUrl, tokenValue); try again',
        EXIT.aws,
      );
    }
    const capture = openSessionCapture({
      session: {
        sessionId: session.sessionId,
        streamUrl: session.streamUrl,
        tokenValue: session.tokenValue,
      },
      ...(kmsKeyId && container.runtimeId
        ? {
            targetId: `ecs:${lastArnSegment(options.cluster)}_${lastArnSegment(options.task)}_${container.runtimeId}`,
          }
        : {}),
      awsClientConfig: config,
      ...(options.timeout !== undefined ? { deadline: Date.now() + options.timeout * 1000 } : {}),
      signal: stop.signal,
    });
    const parser = new ExitMarkerParser(nonce);
    capture.output.pipe(parser);
    const streamed = (async () => {
      for await (const chunk of parser) process.stdout.write(chunk as Buffer);
    })();
    const [summary] = await Promise.all([capture.done, streamed]);
    if (summary.truncated) {
      const terminated = summary.terminateError
        ? `TerminateSession failed (${summary.terminateError})`
        : 'the session was terminated';
      if (summary.truncatedReason === 'aborted') {
        io.err(`ecs-diag exec: interrupted; ${terminated}`);
        context.exit(EXIT.interrupted);
      } else {
        io.err(`ecs-diag exec: --timeout of ${options.timeout} s passed; ${terminated}`);
        context.exit(EXIT.timeout);
      }
      return;
    }
    if (parser.exitCode === null) {
      io.err('ecs-diag exec: the session ended before the command reported its exit status');
      context.exit(EXIT.notOk);
      return;
    }
    context.exit(parser.exitCode);
  } finally {
    process.off('SIGINT', onSigint);
    ecs.destroy();
  }
}
