/**
 * Escaping for the report page and the summary: every piece of text that came from an alarm, a task or an
 * output goes through here. Controls that would hide or reorder text (bidi overrides, zero-width marks, NUL
 * and the other C0/C1 controls) are made visible instead of passed through raw.
 */

/** Characters that are shown as a visible marker: C0 (but tab and newline), DEL, C1, bidi and zero-width. */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this regex's job.
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;
const HTML_SPECIAL = /[&<>"']/g;
const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const CONTROL_NAMES: Record<number, string> = {
  0: 'NUL',
  7: 'BEL',
  8: 'BS',
  13: 'CR',
  27: 'ESC',
  127: 'DEL',
};

/** How an invisible character is shown: `NUL`, `ESC`, `CR`, ... or its code point (`U+202E`). */
export function controlName(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return CONTROL_NAMES[code] ?? `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Cuts text to `max` characters (never inside a surrogate pair), marking the cut with `…`. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** HTML-escapes untrusted text for an element body or a quoted attribute; invisible controls become marked spans. */
export function escapeHtml(text: string): string {
  return text
    .replace(HTML_SPECIAL, (char) => HTML_ENTITIES[char] ?? char)
    .replace(INVISIBLE, (char) => `<span class="ctl" title="control character">${controlName(char)}</span>`);
}

/** Like escapeHtml for attribute values: invisible controls become their plain names (no markup in attributes). */
export function escapeAttribute(text: string): string {
  return text
    .replace(HTML_SPECIAL, (char) => HTML_ENTITIES[char] ?? char)
    .replace(INVISIBLE, (char) => `[${controlName(char)}]`);
}

const MARKDOWN_SPECIAL = /[\\`*_[\]<>|~&]/g;

/**
 * Makes untrusted text inert inside one line of Markdown (GitHub, GitLab, most ticket tools): no
 * emphasis, links, HTML, tables or code; newlines collapse to spaces; invisible controls become `[U+202E]`.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n|\r|\n|\t/g, ' ')
    .replace(INVISIBLE, (char) => `[${controlName(char)}]`)
    .replace(MARKDOWN_SPECIAL, (char) => `\\${char}`);
}
