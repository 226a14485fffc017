/**
 * Untrusted text (alarm names, dimensions, tags, service messages) on its way into a log line or a stored
 * JSON document: bounded in length, and with the characters that reorder or hide what a reader sees escaped.
 */

/** Bidirectional controls and invisible formatting characters: they make a name read differently than it is. */
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** The longest string a log attribute keeps; the rest is replaced by a count. */
export const MAX_LOG_STRING = 1024;
const MAX_LOG_ITEMS = 50;
const MAX_LOG_DEPTH = 6;

function unicodeEscape(character: string): string {
  return `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

/**
 * JSON text in which NUL and the other control characters (JSON.stringify's own escapes) and the
 * bidirectional and invisible formatting characters are written as `\uXXXX` escapes: the value parses back
 * unchanged, but the stored bytes show what is there.
 */
export function safeJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(INVISIBLE, unicodeEscape);
}

/** Escapes NUL, other control characters (but tab and newline) and bidi/invisible characters as `\uXXXX` text. */
export function escapeInvisible(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, unicodeEscape).replace(INVISIBLE, unicodeEscape);
}

/** Cuts a string to MAX_LOG_STRING characters (at a whole code point), saying how much was left out. */
export function boundString(text: string, max = MAX_LOG_STRING): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…[${text.length - end} more characters]`;
}

/**
 * A copy of a log attribute with every string bounded and escaped, arrays cut to 50 items and nesting to
 * 6 levels; errors become `{ name, message }`. Numbers, booleans and null pass through.
 */
export function boundForLog(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return escapeInvisible(boundString(value));
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: boundForLog(value.name, depth + 1), message: boundForLog(value.message, depth + 1) };
  }
  if (depth >= MAX_LOG_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_LOG_ITEMS).map((item) => boundForLog(item, depth + 1));
    if (value.length > MAX_LOG_ITEMS) items.push(`[${value.length - MAX_LOG_ITEMS} more items]`);
    return items;
  }
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, item] of Object.entries(value)) {
    if (count === MAX_LOG_ITEMS) {
      out['[more keys]'] = Object.keys(value).length - MAX_LOG_ITEMS;
      break;
    }
    out[boundString(key, 128)] = boundForLog(item, depth + 1);
    count += 1;
  }
  return out;
}
