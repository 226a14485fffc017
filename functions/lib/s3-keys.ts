import { createHash } from 'node:crypto';
import type { Target } from './contracts.ts';

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._=-]{0,127}$/;
/** The ending of a hashed segment; a plain name ending like it is hashed too, so the two never meet. */
const HASHED_ENDING = /-[0-9a-f]{8}$/;

/**
 * Turns untrusted text (a cluster name, a container name, an execution name) into one S3 key segment:
 * kept as is when it is plainly safe, else every unsafe character becomes `_` and a short hash of the
 * original is appended, so two different names never share a segment.
 */
export function keySegment(value: string): string {
  if (SAFE_SEGMENT.test(value) && !HASHED_ENDING.test(value) && value !== '.' && value !== '..') return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 8);
  const cleaned = value
    .replace(/[^A-Za-z0-9._=-]/g, '_')
    .replace(/^[._=-]+/, '')
    .slice(0, 100);
  return `${cleaned || 'x'}-${hash}`;
}

/** The last segment of an ARN (`.../cluster/NAME` → NAME, `.../task/CLUSTER/ID` → ID), or the value itself. */
export function lastArnSegment(nameOrArn: string): string {
  return nameOrArn.split('/').pop() ?? nameOrArn;
}

/** `runs/<yyyy>/<mm>/<dd>/<execution-name>/`, dated in UTC. */
export function runPrefix(startedAt: Date, executionName: string): string {
  const yyyy = startedAt.getUTCFullYear().toString().padStart(4, '0');
  const mm = (startedAt.getUTCMonth() + 1).toString().padStart(2, '0');
  const dd = startedAt.getUTCDate().toString().padStart(2, '0');
  return `runs/${yyyy}/${mm}/${dd}/${keySegment(executionName)}/`;
}

/** `<prefix><cluster>/<task-id>/<container>/<script>.log` for one target's output. */
export function targetOutputKey(
  prefix: string,
  target: Pick<Target, 'cluster' | 'taskArn' | 'container' | 'script'>,
): string {
  return [
    prefix.replace(/\/?$/, ''),
    keySegment(lastArnSegment(target.cluster)),
    keySegment(lastArnSegment(target.taskArn)),
    keySegment(target.container),
    `${keySegment(target.script)}.log`,
  ].join('/');
}

/** `<prefix>manifest.json`. */
export function manifestKey(prefix: string): string {
  return `${prefix.replace(/\/?$/, '/')}manifest.json`;
}

/** `<prefix>targets.jsonl`: one Target per line, what the Distributed Map's ItemReader reads. */
export function targetsKey(prefix: string): string {
  return `${prefix.replace(/\/?$/, '/')}targets.jsonl`;
}

/** `<prefix>skipped.json`: every skipped task and container with its reason. */
export function skippedKey(prefix: string): string {
  return `${prefix.replace(/\/?$/, '/')}skipped.json`;
}

/** `<prefix>map-results`: the ResultWriter prefix (Step Functions adds `/<map-run-id>/manifest.json`, ...). */
export function mapResultsPrefix(prefix: string): string {
  return `${prefix.replace(/\/?$/, '/')}map-results`;
}
