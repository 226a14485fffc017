/** How commands print: lines to stdout/stderr (injectable in tests), tables, JSON. */

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress may then redraw). */
  interactive: boolean;
}

/** The process's own stdout and stderr. */
export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    interactive: process.stderr.isTTY === true,
  };
}

const CONTROL = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Makes untrusted text safe for one terminal cell: control characters, bidi controls and escape sequences
 * become visible `\u{..}` escapes, and the text is cut to `max` characters.
 */
export function cell(value: unknown, max = 120): string {
  const text = value === undefined || value === null ? '' : String(value);
  const safe = text.replace(CONTROL, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`);
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}

/** A plain-text table with a header row; every value goes through `cell`. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((row) => headers.map((_, index) => cell(row[index])));
  const widths = headers.map((header, index) =>
    Math.max(header.length, ...cells.map((row) => row[index]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => (index === values.length - 1 ? value : value.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** Pretty JSON for `--json`. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** `1.2 KiB`-style sizes. */
export function bytes(count: number | undefined): string {
  if (count === undefined) return '';
  if (count < 1024) return `${count} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = count / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `h m s` from milliseconds. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${seconds % 60}s` : `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}
