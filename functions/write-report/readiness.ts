/**
 * Attaches the readiness findings that CheckReadiness left on a failed target (`{checks, key}`, or its
 * own caught `{Error, Cause}`) to the target's manifest entry as `readiness` (and `readinessKey`).
 */
import type { ReadinessCheck } from '#lib/manifest.ts';
import { boundChecks } from '#lib/readiness/checks.ts';

const STATUSES = new Set(['pass', 'fail', 'warn', 'not-checked']);
const MAX_CHECKS = 40;

function isCheck(value: unknown): value is ReadinessCheck {
  const entry = value as Partial<ReadinessCheck> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.id === 'string' &&
    typeof entry.title === 'string' &&
    typeof entry.status === 'string' &&
    STATUSES.has(entry.status)
  );
}

/** The manifest fields for a raw `readiness` value; nothing when there is none. */
export function readinessFields(raw: unknown): { readiness?: ReadinessCheck[]; readinessKey?: string } {
  if (typeof raw !== 'object' || raw === null) return {};
  const value = raw as { checks?: unknown; key?: unknown; Error?: unknown; Cause?: unknown };
  if (Array.isArray(value.checks)) {
    const checks = boundChecks(value.checks.filter(isCheck).slice(0, MAX_CHECKS), 8192);
    return { readiness: checks, ...(typeof value.key === 'string' ? { readinessKey: value.key } : {}) };
  }
  if (typeof value.Error === 'string') {
    return {
      readiness: boundChecks([
        {
          id: 'readiness.error',
          title: 'The readiness checks themselves failed',
          status: 'not-checked',
          evidence: `${value.Error}: ${typeof value.Cause === 'string' ? value.Cause : ''}`.slice(0, 400),
        },
      ]),
    };
  }
  return {};
}
