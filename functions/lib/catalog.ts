/**
 * The script catalog. A request names a script; only scripts of this catalog can run, and their text
 * is the only script text that ever reaches a container. The scripts live in diagnostics/<name>.sh
 * (metadata in `# @key value` header lines); `node build/generate-catalog.ts` compiles them into
 * catalog.generated.ts, a plain module that loads the same way under Node type stripping, jest, tsc and
 * esbuild (a `.sh` import works under none of the first three). A unit test fails when it is stale.
 */
import { GENERATED_CATALOG } from './catalog.generated.ts';
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

/** The catalog as the generated module stores it (the text base64-encoded, so no quoting is involved). */
export interface CatalogEntry extends Omit<CatalogScript, 'text'> {
  textBase64: string;
}

const SCRIPTS: ReadonlyMap<string, CatalogScript> = new Map(
  GENERATED_CATALOG.map((entry) => {
    const { textBase64, ...rest } = entry;
    return [entry.name, { ...rest, text: Buffer.from(textBase64, 'base64').toString('utf8') }];
  }),
);

/** The names of the scripts a request may name. */
export function catalogScriptNames(): readonly string[] {
  return [...SCRIPTS.keys()];
}

/** True when `name` is a script of the catalog. */
export function isCatalogScript(name: string): boolean {
  return SCRIPTS.has(name);
}

/** The catalog script called `name`, or undefined. */
export function getCatalogScript(name: string): CatalogScript | undefined {
  return SCRIPTS.get(name);
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
