import { Transform, type TransformCallback } from 'node:stream';
import { MAX_SECRET_LENGTH, SECRET_RULES } from './secret-rules.ts';

export { MAX_SECRET_LENGTH } from './secret-rules.ts';

/** New bytes gathered before a scan: small agent chunks (1 KiB) would otherwise rescan the hold-back each time. */
const SCAN_BATCH = 64 * 1024;

/** All rules as one expression: rule i is the group `r<i>`, its kept prefix the group `k<i>`. */
const SOURCE = SECRET_RULES.map(
  (rule, i) => `(?<r${i}>${rule.source.replace('(?<keep>', `(?<k${i}>`)})`,
).join('|');
const COMBINED = new RegExp(SOURCE, 'g');

/** The match-array index of every capturing group named in `SOURCE` (reading `match.groups` per match is slow). */
function groupIndexes(source: string): Map<string, number> {
  const indexes = new Map<string, number>();
  let count = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i];
    if (c === '\\') {
      i += 1;
    } else if (inClass) {
      inClass = c !== ']';
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      if (source[i + 1] !== '?') {
        count += 1;
      } else if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') {
        count += 1;
        indexes.set(source.slice(i + 3, source.indexOf('>', i)), count);
      }
    }
  }
  return indexes;
}

const INDEXES = groupIndexes(SOURCE);
const RULE_GROUP = SECRET_RULES.map((_, i) => INDEXES.get(`r${i}`) ?? -1);
const KEEP_GROUP = SECRET_RULES.map((_, i) => INDEXES.get(`k${i}`) ?? -1);
const REPLACEMENT = SECRET_RULES.map((rule) => `[REDACTED:${rule.kind}]`);

/** The replacement of one match: the kept prefix and the rule's kind. */
function replacement(match: RegExpExecArray): string {
  for (let i = 0; i < RULE_GROUP.length; i += 1) {
    if (match[RULE_GROUP[i] as number] === undefined) continue;
    const keep = KEEP_GROUP[i] as number;
    return `${keep === -1 ? '' : (match[keep] ?? '')}${REPLACEMENT[i]}`;
  }
  return '[REDACTED]';
}

/**
 * Redacts the secrets in `text` (latin1 decoded). With `final` false, stops before any match that reaches
 * the end of the text (it could still grow) and before the last MAX_SECRET_LENGTH characters; returns the
 * redacted part, the unprocessed rest and the count.
 */
export function redactChunk(text: string, final: boolean): { out: string; rest: string; count: number } {
  let cut = final ? text.length : Math.max(0, text.length - MAX_SECRET_LENGTH);
  let out = '';
  let pos = 0;
  let count = 0;
  COMBINED.lastIndex = 0;
  for (let match = COMBINED.exec(text); match !== null; match = COMBINED.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    if (start >= cut) break;
    if (!final && end >= text.length) {
      cut = start;
      break;
    }
    out += text.slice(pos, start) + replacement(match);
    pos = end;
    count += 1;
    if (end > cut) cut = end;
    if (match[0].length === 0) COMBINED.lastIndex += 1;
  }
  out += text.slice(pos, Math.max(pos, cut));
  return { out, rest: text.slice(Math.max(pos, cut)), count };
}

/** Redacts a whole buffer at once (the same rules as the stream). */
export function redactBuffer(data: Buffer): { data: Buffer; count: number } {
  const { out, count } = redactChunk(data.toString('latin1'), true);
  return { data: Buffer.from(out, 'latin1'), count };
}

/**
 * A Transform that redacts secrets before they are stored (the rules in secret-rules.ts: cloud and SaaS
 * tokens, JWTs, authorization headers, secret-named pairs and flags, passwords on database and HTTP client
 * command lines, credentials in URLs, private key blocks), including a secret split across chunks.
 * Pattern-based and best effort: a secret in a shape it does not know is stored as is (see
 * diagnostics/README.md). Memory is bounded: at most MAX_SECRET_LENGTH bytes plus 64 KiB and one chunk are held.
 */
export class Redactor extends Transform {
  /** Secrets replaced so far. */
  redactions = 0;
  private rest = '';
  private queued: string[] = [];
  private queuedLength = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.queued.push(chunk.toString('latin1'));
    this.queuedLength += chunk.length;
    if (this.queuedLength >= SCAN_BATCH) this.scan(false);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.scan(true);
    callback();
  }

  /** Scans the held tail plus the queued chunks (batched, so the tail is not rescanned for every small chunk). */
  private scan(final: boolean): void {
    const { out, rest, count } = redactChunk(this.rest + this.queued.join(''), final);
    this.rest = final ? '' : rest;
    this.queued = [];
    this.queuedLength = 0;
    this.redactions += count;
    if (out.length > 0) this.push(Buffer.from(out, 'latin1'));
  }
}
