/**
 * The Map item every per-target state receives, {target, run, retryCount}: RunDiagnostic runs it, CheckReadiness
 * gets it back with the error RunDiagnostic's Catch recorded.
 */
import { isCatalogScript } from './catalog.ts';
import type { RunDiagnosticInput } from './contracts.ts';
import { InvalidRequestError } from './errors.ts';

const PREFIX = /^runs\/\d{4}\/\d{2}\/\d{2}\/[A-Za-z0-9][A-Za-z0-9._=-]{0,127}\/$/;
const MAX_FIELD = 2048;

function text(value: unknown, field: string, fix: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_FIELD) {
    throw new InvalidRequestError(
      field,
      `must be a non-empty string of at most ${MAX_FIELD} characters; ${fix}`,
    );
  }
  return value;
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError(field, 'must be an object (the Map item that resolve-targets produced)');
  }
  return value as Record<string, unknown>;
}

/** Validates the Map item {target, run, retryCount}; errors name the field and the fix. */
export function parseMapItem(event: unknown): RunDiagnosticInput {
  const input = record(event, 'input');
  const target = record(input.target, 'target');
  const run = record(input.run, 'run');
  const script = text(target.script, 'target.script', 'name a catalog script');
  if (!isCatalogScript(script)) {
    throw new InvalidRequestError(
      'target.script',
      `${JSON.stringify(script)} is not a catalog script; use one of the catalog names`,
    );
  }
  const prefix = text(run.prefix, 'run.prefix', 'pass the run prefix from resolve-targets');
  if (!PREFIX.test(prefix)) {
    throw new InvalidRequestError(
      'run.prefix',
      'must look like runs/<yyyy>/<mm>/<dd>/<execution-name>/ (from resolve-targets)',
    );
  }
  const retryCount = input.retryCount ?? 0;
  if (typeof retryCount !== 'number' || !Number.isInteger(retryCount) || retryCount < 0) {
    throw new InvalidRequestError('retryCount', 'must be a non-negative integer ($$.State.RetryCount)');
  }
  const optional = (value: unknown, field: string): string | undefined =>
    value === undefined || value === null ? undefined : text(value, field, 'omit it or pass a string');
  const service = optional(target.service, 'target.service');
  const az = optional(target.az, 'target.az');
  const runtimeId = optional(target.runtimeId, 'target.runtimeId');
  const alarmName = optional(run.alarmName, 'run.alarmName');
  return {
    target: {
      cluster: text(target.cluster, 'target.cluster', 'pass the cluster name or ARN'),
      ...(service === undefined ? {} : { service }),
      taskArn: text(target.taskArn, 'target.taskArn', 'pass the task ARN'),
      container: text(target.container, 'target.container', 'pass the container name'),
      script,
      ...(az === undefined ? {} : { az }),
      ...(runtimeId === undefined ? {} : { runtimeId }),
    },
    run: {
      executionName: text(run.executionName, 'run.executionName', 'pass $$.Execution.Name'),
      prefix,
      ...(alarmName === undefined ? {} : { alarmName }),
    },
    retryCount,
  };
}
