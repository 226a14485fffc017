/**
 * The script catalog. A request names a script; only scripts of this catalog can run, and their text
 * is the only script text that ever reaches a container. The scripts live in diagnostics/<name>.sh
 * (metadata in `# @key value` header lines); `node build/generate-catalog.ts` compiles them into
 * catalog.generated.ts, a plain module that loads the same way under Node type stripping, jest, tsc and
 * esbuild (a `.sh` import works under none of the first three). A unit test fails when it is stale.
 */
import { GENERATED_CATALOG, GENERATED_TEXTS } from './catalog.generated.ts';
import { optionalEnv } from './config.ts';
import { ConfigurationError } from './errors.ts';

/** One diagnostic script with its limits. */
export interface CatalogScript {
  name: string;
  description: string;
  /** Wall-clock limit of one run, in seconds (the Lambda deadline can cut it shorter). */
  timeoutSeconds: number;
  /** Bytes of output stored at most; beyond them the run is stopped and marked truncated. */
  outputCapBytes: number;
  /** The tools the script uses when present (each is optional: a missing one prints "not available"). */
  tools: string;
  /** The POSIX sh text that runs in the container (comment lines and indentation removed). */
  text: string;
  /** sha256 of `text`, hex. */
  sha256: string;
}

/** A script's metadata as the generated module stores it. */
export type CatalogEntry = Omit<CatalogScript, 'text'>;

/** A script's text as the generated module stores it (base64-encoded, so no quoting is involved). */
export interface CatalogText {
  name: string;
  textBase64: string;
}

const ENTRIES: ReadonlyMap<string, CatalogEntry> = new Map(
  GENERATED_CATALOG.map((entry) => [entry.name, entry]),
);
const scripts = new Map<string, CatalogScript>();

/** The names of the scripts a request may name. */
export function catalogScriptNames(): readonly string[] {
  return [...ENTRIES.keys()];
}

/** True when `name` is a script of the catalog. */
export function isCatalogScript(name: string): boolean {
  return ENTRIES.has(name);
}

/**
 * The catalog script called `name`, or undefined. Its text is decoded on the first call (and kept): only
 * run-diagnostic reads texts, so the other bundles leave them out.
 */
export function getCatalogScript(name: string): CatalogScript | undefined {
  const entry = ENTRIES.get(name);
  if (entry === undefined) return undefined;
  let script = scripts.get(name);
  if (script === undefined) {
    const textBase64 = GENERATED_TEXTS.find((text) => text.name === name)?.textBase64 ?? '';
    script = { ...entry, text: Buffer.from(textBase64, 'base64').toString('utf8') };
    scripts.set(name, script);
  }
  return script;
}

/** Reads DEFAULT_SCRIPT (default `basic`); a name outside the catalog fails the cold start. */
export function defaultScriptFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const name = optionalEnv('DEFAULT_SCRIPT', 'basic', env);
  if (!isCatalogScript(name)) {
    throw new ConfigurationError(
      `environment variable DEFAULT_SCRIPT=${JSON.stringify(name)} is not a catalog script (${catalogScriptNames().join(', ')})`,
    );
  }
  return name;
}
