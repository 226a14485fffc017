/**
 * Compiles diagnostics/<name>.sh into functions/lib/catalog.generated.ts.
 * Run `node build/generate-catalog.ts` after changing a script; tests/unit/catalog fails while the
 * generated module is stale. Header lines `# @key value` carry the metadata (description,
 * timeoutSeconds, outputCapBytes, tools). The text that travels in the command drops comment lines,
 * blank lines and indentation, so scripts must not use here-documents or multi-line quoted strings.
 * A line `# @include lib/<name>.sh` is replaced by that fragment of diagnostics/lib/ (code every script
 * shares: the prelude, the resource view); fragments hold no header lines and include nothing.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GeneratedEntry {
  name: string;
  description: string;
  timeoutSeconds: number;
  outputCapBytes: number;
  tools: string;
  textBase64: string;
  sha256: string;
}

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
/** biome.json's formatter.lineWidth. */
const LINE_WIDTH = 110;
const KEYS = ['description', 'timeoutSeconds', 'outputCapBytes', 'tools'] as const;
const INCLUDE = /^# @include (lib\/[a-z][a-z0-9-]{0,30}\.sh)$/gm;

/** Replaces each `# @include lib/<name>.sh` line by the fragment's text; throws naming a missing fragment. */
export function expandIncludes(file: string, source: string, read: (fragment: string) => string): string {
  return source.replace(INCLUDE, (_line, fragment: string) => {
    let text: string;
    try {
      text = read(fragment);
    } catch {
      throw new Error(`${file}: # @include ${fragment}: no such fragment in diagnostics/`);
    }
    if (/^# @/m.test(text)) throw new Error(`${fragment}: a fragment holds no header or @include lines`);
    return text.trimEnd();
  });
}

/** Removes comment lines, blank lines and indentation (the shebang line goes too: the text runs under sh -c). */
export function compactScript(source: string): string {
  return source
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .join('\n')
    .concat('\n');
}

/** Parses one script file (includes already expanded) into its catalog entry; throws naming the file and the problem. */
export function parseScript(file: string, source: string): GeneratedEntry {
  const name = file.replace(/\.sh$/, '');
  if (!NAME.test(name)) throw new Error(`${file}: the name must match ${NAME}`);
  if (!source.startsWith('#!/bin/sh\n')) throw new Error(`${file}: the first line must be #!/bin/sh`);
  if (source.includes('<<'))
    throw new Error(`${file}: here-documents are not allowed (the text is compacted)`);
  const meta = new Map<string, string>();
  for (const match of source.matchAll(/^# @(\w+) (.+)$/gm)) {
    const [, key, value] = match;
    if (key === 'include') throw new Error(`${file}: bad # @include line (lib/<name>.sh): ${value}`);
    if (key !== undefined && value !== undefined) meta.set(key, value.trim());
  }
  for (const key of KEYS) if (!meta.get(key)) throw new Error(`${file}: missing header line "# @${key} ..."`);
  const timeoutSeconds = Number(meta.get('timeoutSeconds'));
  const outputCapBytes = Number(meta.get('outputCapBytes'));
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 5 || timeoutSeconds > 840) {
    throw new Error(`${file}: @timeoutSeconds must be an integer from 5 to 840`);
  }
  if (!Number.isInteger(outputCapBytes) || outputCapBytes < 1024 || outputCapBytes > 64 * 1024 * 1024) {
    throw new Error(`${file}: @outputCapBytes must be an integer from 1024 to 67108864`);
  }
  const text = compactScript(source);
  return {
    name,
    description: meta.get('description') ?? '',
    timeoutSeconds,
    outputCapBytes,
    tools: meta.get('tools') ?? '',
    textBase64: Buffer.from(text, 'utf8').toString('base64'),
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}

/** Reads every diagnostics/*.sh, sorted by name. */
export function readCatalog(dir: string): GeneratedEntry[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sh'))
    .sort()
    .map((file) => {
      const source = readFileSync(join(dir, file), 'utf8');
      return parseScript(
        file,
        expandIncludes(file, source, (fragment) => readFileSync(join(dir, fragment), 'utf8')),
      );
    });
}

/** A string literal quoted the way biome prints it (single quotes unless the text holds one). */
function quote(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\');
  if (value.includes("'") && !value.includes('"')) return `"${escaped}"`;
  return `'${escaped.replace(/'/g, "\\'")}'`;
}

/** A `key: value,` property line, or the value on its own line when biome would wrap it. */
function wrapped(key: string, value: string): string {
  const line = `    ${key}: ${value},`;
  return line.length <= LINE_WIDTH ? line : `    ${key}:\n      ${value},`;
}

/**
 * The text of functions/lib/catalog.generated.ts for these entries (stable under `biome format`). The texts
 * are a list of their own, so a bundle that never reads a script's text (all but run-diagnostic) leaves them out.
 */
export function renderCatalogModule(entries: GeneratedEntry[]): string {
  const metadata = entries
    .map((entry) =>
      [
        '  {',
        `    name: ${quote(entry.name)},`,
        `    description:\n      ${quote(entry.description)},`,
        `    timeoutSeconds: ${entry.timeoutSeconds},`,
        `    outputCapBytes: ${entry.outputCapBytes},`,
        wrapped('tools', quote(entry.tools)),
        `    sha256: ${quote(entry.sha256)},`,
        '  },',
      ].join('\n'),
    )
    .join('\n');
  const texts = entries
    .map((entry) =>
      [
        '  {',
        `    name: ${quote(entry.name)},`,
        `    textBase64:\n      ${quote(entry.textBase64)},`,
        '  },',
      ].join('\n'),
    )
    .join('\n');
  return [
    '/** Generated by `node build/generate-catalog.ts` from diagnostics/*.sh: do not edit by hand. */',
    "import type { CatalogEntry, CatalogText } from './catalog.ts';",
    '',
    'export const GENERATED_CATALOG: readonly CatalogEntry[] = [',
    metadata,
    '];',
    '',
    'export const GENERATED_TEXTS: readonly CatalogText[] = [',
    texts,
    '];',
    '',
  ].join('\n');
}

export const DIAGNOSTICS_DIR = join(import.meta.dirname, '..', 'diagnostics');
export const GENERATED_MODULE = join(import.meta.dirname, '..', 'functions', 'lib', 'catalog.generated.ts');

if (import.meta.main) {
  const entries = readCatalog(DIAGNOSTICS_DIR);
  writeFileSync(GENERATED_MODULE, renderCatalogModule(entries));
  process.stdout.write(`wrote ${GENERATED_MODULE}: ${entries.map((entry) => entry.name).join(', ')}\n`);
}
