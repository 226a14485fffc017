import { Transform, type TransformCallback } from 'node:stream';

/**
 * Secret patterns, matched on the output decoded as latin1 (one character per byte, so any byte sequence
 * round-trips exactly and lengths are byte lengths). Every pattern is bounded in length: the stream
 * redactor holds back that many bytes between chunks, so a secret split across chunks is still found.
 * Named groups: `keep` is kept in front of the replacement (the key of a key=value pair).
 */
const PATTERNS: { kind: string; source: string }[] = [
  {
    kind: 'private-key',
    // A block whose END line never comes (output cut at a deadline, or a longer block) loses the
    // 16 KiB after its BEGIN line, or everything up to the end of the output.
    source:
      '-----BEGIN[A-Z ]{0,40} PRIVATE KEY-----(?:[\\s\\S]{0,16384}?-----END[A-Z ]{0,40} PRIVATE KEY-----|[\\s\\S]{0,16384})',
  },
  {
    kind: 'aws-secret-key',
    source:
      '(?<keep1>(?i:aws_?secret_?access_?key|secret_?access_?key)["\']?[ \\t]{0,64}[:=][ \\t]{0,64}["\']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])',
  },
  {
    kind: 'aws-access-key-id',
    source: '(?<![A-Z0-9])(?:AKIA|ASIA|AROA|AIDA|AGPA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Z0-9])',
  },
  { kind: 'bearer-token', source: '(?<keep2>(?i:bearer)[ \\t]{1,64})[A-Za-z0-9._~+/-]{8,4096}={0,3}' },
  {
    kind: 'url-credentials',
    source: '(?<keep3>://[^ \\t\\r\\n:/@]{1,256}:)[^ \\t\\r\\n@/]{1,256}(?=@)',
  },
  {
    // A secret-named command-line flag and its separate value (`--password hunter2`): process listings
    // print full command lines. The value may not start with `-` (that is the next flag).
    kind: 'password-flag',
    source:
      '(?<keep5>(?<![A-Za-z0-9_-])--?(?:[A-Za-z0-9]{1,32}[_-]){0,4}(?i:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?token)[ \\t]{1,64})(?:"[^"\\r\\n]{1,4096}"|\'[^\'\\r\\n]{1,4096}\'|[^- \\t\\r\\n"\'][^ \\t\\r\\n]{0,4095})',
  },
  {
    kind: 'password-pair',
    source:
      '(?<keep4>(?i:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|auth)["\']?[ \\t]{0,64}[:=][ \\t]{0,64})(?:"[^"\\r\\n]{1,4096}"|\'[^\'\\r\\n]{1,4096}\'|[^ \\t\\r\\n"\'&;,]{1,4096})',
  },
];

/** The longest text any pattern can match: the stream redactor's hold-back. */
export const MAX_SECRET_LENGTH = 16_384 + 200;

/** New bytes gathered before a scan: small agent chunks (1 KiB) would otherwise rescan the hold-back each time. */
const SCAN_BATCH = 64 * 1024;

const COMBINED = new RegExp(PATTERNS.map((p, i) => `(?<p${i}>${p.source})`).join('|'), 'g');

/** The replacement of one match, and its kind. */
function replacement(groups: Record<string, string | undefined>): string {
  for (let i = 0; i < PATTERNS.length; i += 1) {
    if (groups[`p${i}`] === undefined) continue;
    const keep = groups.keep1 ?? groups.keep2 ?? groups.keep3 ?? groups.keep4 ?? groups.keep5 ?? '';
    return `${keep}[REDACTED:${PATTERNS[i]?.kind}]`;
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
    out += text.slice(pos, start) + replacement(match.groups ?? {});
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
 * A Transform that redacts secrets before they are stored: AWS access key ids and secret keys, bearer
 * tokens, password=/token=/secret=-style pairs, secret-named flags, credentials in URLs and private key
 * blocks, including a secret split across chunks. Pattern-based and best effort: a secret in a shape it
 * does not know is stored as is (see diagnostics/README.md). Memory is bounded: at most MAX_SECRET_LENGTH bytes plus 64 KiB and one chunk are held.
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
