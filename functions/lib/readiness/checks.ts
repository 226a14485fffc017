/**
 * The ECS Exec readiness checks' vocabulary: the stable check ids (documented in the README), the
 * constructors of a finding, the mapping of a denied call to "not checked", and the bounds that keep
 * findings small enough to travel in Step Functions state.
 */
import type { ReadinessCheck } from '../manifest.ts';

export type { ReadinessCheck };

/** Every check id with its title. Ids are stable: users, the report page and tests depend on them. */
export const CHECK_TITLES = {
  'cluster.exec-config': 'Cluster ExecuteCommand configuration (KMS key, logging)',
  'cluster.exec-logging': 'Task role may write the exec session logs (CloudWatch Logs or S3)',
  'task.running': 'Task lastStatus is RUNNING',
  'task.exec-enabled': 'Task started with enableExecuteCommand',
  'task.exec-agent': 'ExecuteCommandAgent RUNNING in the container',
  'task.platform': 'Fargate platform version >= 1.4.0 or ECS agent >= 1.50.2',
  'task.readonly-rootfs': 'Container root filesystem is writable',
  'task.pid-mode': 'pidMode is not task (one exec session per PID namespace)',
  'task.init-process': 'initProcessEnabled (advice: reaps processes a session leaves)',
  'task.aws-credentials-env': 'No AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the container environment',
  'role.exists': 'Task role set and existing (task override included)',
  'role.ssmmessages': 'Task role allows the four ssmmessages:*Channel actions',
  'role.exec-kms': "Task role allows kms:Decrypt on the cluster's exec key",
  'network.ssmmessages-endpoint': 'VPC: an ecs interface endpoint comes with an ssmmessages endpoint',
  'network.route': 'Subnet reaches ssmmessages (endpoint or a route to the internet)',
  'caller.execute-command': "This stack's role may call ecs:ExecuteCommand on the task",
} as const;

export type CheckId = keyof typeof CHECK_TITLES;

/** Longest evidence or fix kept in a finding (they quote names and policies from the account). */
export const MAX_TEXT = 400;

/** Flattens text from the account (names, messages) to one bounded line, control characters escaped. */
export function clean(text: string, max = MAX_TEXT): string {
  let flat = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) flat += `\\u${code.toString(16).padStart(4, '0')}`;
    else flat += char;
    if (flat.length > max) break;
  }
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function check(
  id: CheckId,
  status: ReadinessCheck['status'],
  evidence?: string,
  fix?: string,
): ReadinessCheck {
  const result: ReadinessCheck = { id, title: CHECK_TITLES[id], status };
  if (evidence !== undefined) result.evidence = clean(evidence);
  if (fix !== undefined) result.fix = clean(fix);
  return result;
}

/** A passed check, with what was seen. */
export function pass(id: CheckId, evidence?: string): ReadinessCheck {
  return check(id, 'pass', evidence);
}

/** A failed check: what was seen and how to fix it. */
export function fail(id: CheckId, evidence: string, fix: string): ReadinessCheck {
  return check(id, 'fail', evidence, fix);
}

/** Advice: not a reason for the failure, but worth changing. */
export function warn(id: CheckId, evidence: string, fix: string): ReadinessCheck {
  return check(id, 'warn', evidence, fix);
}

/** A check that was not made, and why (never reported as passed). */
export function notChecked(id: CheckId, reason: string, fix?: string): ReadinessCheck {
  return check(id, 'not-checked', reason, fix);
}

/** Error names with which AWS refuses a call for want of permission (ECS, IAM, EC2, S3). */
const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
]);

/** True when the error says the caller lacks a permission. */
export function isDenied(error: unknown): boolean {
  return error instanceof Error && DENIED.has(error.name);
}

/**
 * The finding for a call that failed: "not checked (needs `permission`)" when it was denied, otherwise
 * "not checked" with the error. Never a pass.
 */
export function notCheckedAfter(id: CheckId, error: unknown, permission: string): ReadinessCheck {
  if (isDenied(error)) {
    return notChecked(
      id,
      `not checked (needs \`${permission}\`): ${error instanceof Error ? error.message : String(error)}`,
      `grant ${permission} to the role that runs the checks`,
    );
  }
  const described = error instanceof Error ? `${error.name}: ${error.message}` : `Error: ${String(error)}`;
  return notChecked(id, `not checked: ${permission} failed (${described})`);
}

/** Serialised size of a list of findings, in bytes. */
function sizeOf(checks: readonly ReadinessCheck[]): number {
  return Buffer.byteLength(JSON.stringify(checks));
}

/**
 * Bounds findings to `maxBytes` of JSON for Step Functions state: passed checks lose their evidence
 * first, then evidence and fixes are shortened; ids, titles and statuses always stay.
 */
export function boundChecks(checks: readonly ReadinessCheck[], maxBytes = 4096): ReadinessCheck[] {
  let bounded = checks.map((entry) => ({ ...entry }));
  if (sizeOf(bounded) <= maxBytes) return bounded;
  bounded = bounded.map((entry) => {
    if (entry.status !== 'pass') return entry;
    const { evidence: _dropped, ...rest } = entry;
    return rest;
  });
  for (const max of [240, 160, 80, 0]) {
    if (sizeOf(bounded) <= maxBytes) break;
    bounded = bounded.map((entry) => {
      const next: ReadinessCheck = { id: entry.id, title: entry.title, status: entry.status };
      if (entry.evidence !== undefined && max > 0) next.evidence = clean(entry.evidence, max);
      if (entry.fix !== undefined && max > 0) next.fix = clean(entry.fix, max);
      return next;
    });
  }
  return bounded;
}

/** True when any finding failed. */
export function anyFailed(checks: readonly ReadinessCheck[]): boolean {
  return checks.some((entry) => entry.status === 'fail');
}
