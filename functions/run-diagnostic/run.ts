/** One diagnostic run: ExecuteCommand → data channel → redacted, capped stream to S3 → TargetResult. */
import {
  DescribeClustersCommand,
  DescribeTasksCommand,
  type ECSClient,
  ExecuteCommandCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { buildExecCommand, captureToS3, newNonce } from '#lib/capture/index.ts';
import { getCatalogScript } from '#lib/catalog.ts';
import type { RunDiagnosticInput, TargetResult } from '#lib/contracts.ts';
import { mapEcsError, mapSessionKmsError, missingShellCheck } from '#lib/ecs-errors.ts';
import { InvalidRequestError, ProtocolError } from '#lib/errors.ts';
import { logger } from '#lib/logger.ts';
import { captureOutcome } from '#lib/outcome.ts';
import { lastArnSegment, targetOutputKey } from '#lib/s3-keys.ts';
import { type ClientOnDemand, openSessionCapture } from '#lib/ssm-session/index.ts';

/** The AWS clients and settings a run uses (module-scope singletons in the handler). */
export interface RunDependencies {
  ecs: ECSClient;
  s3: S3Client;
  ssm: ClientOnDemand<SSMClient>;
  kms: ClientOnDemand<KMSClient>;
  bucket: string;
  /** EXEC_KMS_KEY_ARN: the key the role may use, when the template was given one. */
  execKmsKeyArn?: string;
  /** Epoch ms at which the session must be stopped (Lambda deadline minus the margin). */
  deadline: number;
}

const CLUSTER_CACHE_MS = 5 * 60_000;
const clusterKeys = new Map<string, { kmsKeyId: string | undefined; at: number }>();
const TERMINAL = { cols: 240, rows: 60 };
const MAX_METADATA_VALUE = 512;

/** The cluster's ExecuteCommand KMS key (DescribeClusters with CONFIGURATIONS), cached per container. */
export async function clusterExecKmsKey(ecs: ECSClient, cluster: string): Promise<string | undefined> {
  const cached = clusterKeys.get(cluster);
  if (cached && Date.now() - cached.at < CLUSTER_CACHE_MS) return cached.kmsKeyId;
  const response = await ecs
    .send(new DescribeClustersCommand({ clusters: [cluster], include: ['CONFIGURATIONS'] }))
    .catch((error: unknown) => {
      throw mapEcsError(error, { cluster, task: '-', container: '-', action: 'ecs:DescribeClusters' });
    });
  const found = response.clusters?.[0];
  if (!found) {
    const error = new Error(`cluster ${JSON.stringify(cluster)} was not found`);
    error.name = 'ClusterNotFoundException';
    throw mapEcsError(error, { cluster, task: '-', container: '-', action: 'ecs:DescribeClusters' });
  }
  const kmsKeyId = found.configuration?.executeCommandConfiguration?.kmsKeyId || undefined;
  clusterKeys.set(cluster, { kmsKeyId, at: Date.now() });
  return kmsKeyId;
}

/** Forgets cached cluster configurations (tests). */
export function clearClusterCache(): void {
  clusterKeys.clear();
}

/**
 * DescribeTasks of the target's task, only for its container's runtime id (the KMS handshake's encryption
 * context) when the target does not carry it. The task facts (image, revision, ...) come from
 * resolve-targets' batched DescribeTasks in the target (WriteReport reads them from targets.jsonl).
 */
async function describeTask(deps: RunDependencies, input: RunDiagnosticInput): Promise<Task | undefined> {
  const { target } = input;
  const response = await deps.ecs
    .send(new DescribeTasksCommand({ cluster: target.cluster, tasks: [target.taskArn] }))
    .catch((error: unknown) => {
      throw mapEcsError(error, {
        cluster: target.cluster,
        task: target.taskArn,
        container: target.container,
        action: 'ecs:DescribeTasks',
      });
    });
  return response?.tasks?.[0];
}

/**
 * S3 user metadata travels as HTTP headers: untrusted values are percent-encoded (encodeURIComponent) and
 * cut to MAX_METADATA_VALUE at a whole character, so the value always decodes with decodeURIComponent.
 */
export function metadataValue(value: string): string {
  let encoded = '';
  for (const character of value) {
    const next = encodeURIComponent(character.isWellFormed() ? character : '\uFFFD');
    if (encoded.length + next.length > MAX_METADATA_VALUE) break;
    encoded += next;
  }
  return encoded;
}

/** Runs the target's catalog script and stores its output; throws the contract's errors. */
export async function runDiagnostic(input: RunDiagnosticInput, deps: RunDependencies): Promise<TargetResult> {
  const { target, run } = input;
  const script = getCatalogScript(target.script);
  if (!script) throw new InvalidRequestError('target.script', 'is not a catalog script');
  const params = { cluster: target.cluster, task: target.taskArn, container: target.container };

  const attemptStartedAt = new Date();
  const kmsKeyId = await clusterExecKmsKey(deps.ecs, target.cluster);
  let targetId: string | undefined;
  const task = kmsKeyId && !target.runtimeId ? await describeTask(deps, input) : undefined;
  if (kmsKeyId) {
    if (deps.execKmsKeyArn !== kmsKeyId) {
      logger.warn(
        'the cluster encrypts ECS Exec with a key that EXEC_KMS_KEY_ARN does not name; kms:GenerateDataKey may be denied',
        {
          clusterKmsKey: kmsKeyId,
          execKmsKeyArn: deps.execKmsKeyArn ?? '(not set)',
        },
      );
    }
    const runtimeId =
      target.runtimeId ?? task?.containers?.find((c) => c.name === target.container)?.runtimeId;
    if (runtimeId)
      targetId = `ecs:${lastArnSegment(target.cluster)}_${lastArnSegment(target.taskArn)}_${runtimeId}`;
  }

  const nonce = newNonce();
  const response = await deps.ecs
    .send(
      new ExecuteCommandCommand({
        cluster: target.cluster,
        task: target.taskArn,
        container: target.container,
        interactive: true,
        command: buildExecCommand(script.text, nonce),
      }),
    )
    .catch((error: unknown) => {
      throw mapEcsError(error, params);
    });
  const session = response.session;
  if (!session?.sessionId || !session.streamUrl || !session.tokenValue) {
    throw new ProtocolError(
      'session',
      'ExecuteCommand returned no sessionId/streamUrl/tokenValue; retry the run',
    );
  }

  const stop = new AbortController();
  const deadline = Math.min(deps.deadline, Date.now() + script.timeoutSeconds * 1000);
  const capture = openSessionCapture({
    session: { sessionId: session.sessionId, streamUrl: session.streamUrl, tokenValue: session.tokenValue },
    ...(targetId === undefined ? {} : { targetId }),
    kmsKeyIds: kmsKeyId === undefined ? [] : [kmsKeyId],
    kms: deps.kms,
    ssm: deps.ssm,
    deadline,
    signal: stop.signal,
    terminalSize: TERMINAL,
  });
  const s3Key = targetOutputKey(run.prefix, target);
  const captureStartedAt = new Date();
  const stored = await captureToS3({
    s3: deps.s3,
    bucket: deps.bucket,
    key: s3Key,
    output: capture.output,
    done: capture.done,
    nonce,
    outputCapBytes: script.outputCapBytes,
    stopSession: () => stop.abort(),
    metadata: {
      alarm: metadataValue(run.alarmName ?? ''),
      execution: metadataValue(run.executionName),
      cluster: metadataValue(target.cluster),
      task: metadataValue(target.taskArn),
      container: metadataValue(target.container),
      script: metadataValue(script.name),
      'script-sha256': script.sha256,
    },
    check: missingShellCheck(target.container),
  }).catch((error: unknown) => {
    throw kmsKeyId ? mapSessionKmsError(error, kmsKeyId, params) : error;
  });
  const captureEndedAt = new Date();
  const outcome = captureOutcome({
    exitCode: stored.exitCode,
    ...(stored.truncationReason === undefined ? {} : { truncationReason: stored.truncationReason }),
    interrupted: stored.interrupted !== undefined,
  });
  logger.info('diagnostic output stored', {
    s3Key,
    bytes: stored.bytes,
    exitCode: stored.exitCode,
    truncated: stored.truncated,
    truncationReason: stored.truncationReason,
    redactions: stored.redactions,
    status: outcome.status,
    partialReasons: outcome.partialReasons,
    newlines: stored.newlines,
    session: stored.summary,
    interrupted: stored.interrupted,
  });
  const truncation =
    stored.truncationReason === 'output-cap' || stored.truncationReason === 'deadline'
      ? stored.truncationReason
      : undefined;
  return {
    target,
    status: outcome.status,
    ...(outcome.partialReasons === undefined ? {} : { partialReasons: outcome.partialReasons }),
    s3Key,
    bytes: stored.bytes,
    truncated: stored.truncated,
    ...(truncation === undefined ? {} : { truncation }),
    exitCode: stored.exitCode,
    attempts: (input.retryCount ?? 0) + 1,
    attemptStartedAt: attemptStartedAt.toISOString(),
    redactions: stored.redactions,
    capture: {
      startedAt: captureStartedAt.toISOString(),
      endedAt: captureEndedAt.toISOString(),
      durationMs: captureEndedAt.getTime() - captureStartedAt.getTime(),
      newlines: stored.newlines,
      ...(stored.interrupted === undefined ? {} : { interrupted: stored.interrupted }),
    },
  };
}
