/**
 * Deterministic Step Functions execution names. A name is
 * `<cooldown-key>-<yyyymmddThhmmss>-<label>-<identity-hash>`, 80 characters at most, ASCII
 * [A-Za-z0-9_-] only (Step Functions' rules, and what CloudWatch Logs accepts):
 * - the cooldown key (8 hex) hashes (cluster, service, script), so recent runs of the same work can be
 *   found by name prefix;
 * - the identity hash covers what makes a delivery the same (alarm name + state-change time), so every
 *   duplicate delivery gets the same name and StartExecution answers ExecutionAlreadyExists;
 * - the label is a readable, sanitised slice of the alarm name: never trusted, never needed for uniqueness.
 */
import { createHash } from 'node:crypto';
import { lastArnSegment } from '../s3-keys.ts';

const MAX_NAME = 80;
const KEY_LENGTH = 8;
const IDENTITY_LENGTH = 10;

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** What a cooldown is keyed on. */
export interface CooldownSubject {
  cluster: string;
  service?: string;
  script: string;
}

/** The 8-hex cooldown key of (cluster name, service, script): cluster ARN and name give the same key. */
export function cooldownKey(subject: CooldownSubject): string {
  return sha256Hex(
    JSON.stringify([
      lastArnSegment(subject.cluster),
      subject.service ? lastArnSegment(subject.service) : '',
      subject.script,
    ]),
  ).slice(0, KEY_LENGTH);
}

/** The prefix every execution name of one cooldown key starts with. */
export function cooldownPrefix(key: string): string {
  return `${key}-`;
}

/** Replaces every run of characters outside [A-Za-z0-9_-] with `-`, trims, cuts to `max`. */
export function sanitiseLabel(value: string, max: number): string {
  const cleaned = value
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, max)
    .replace(/[-_]+$/, '');
  return cleaned === '' ? 'run' : cleaned;
}

/** `yyyymmddThhmmss` in UTC. */
function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:]/g, '');
}

/**
 * Builds the execution name. `identity` is the text that must map to one name (for an alarm: its name and
 * state-change time); `label` is shown for humans; `at` is the time stamped into the name.
 */
export function executionName(options: { key: string; at: Date; label: string; identity: string }): string {
  const head = `${options.key}-${stamp(options.at)}-`;
  const tail = `-${sha256Hex(options.identity).slice(0, IDENTITY_LENGTH)}`;
  const label = sanitiseLabel(options.label, MAX_NAME - head.length - tail.length);
  return `${head}${label}${tail}`;
}

/** True when `name` follows Step Functions' execution-name rules and this project's ASCII subset. */
export function isValidExecutionName(name: string): boolean {
  return /^[A-Za-z0-9_-]{1,80}$/.test(name);
}
