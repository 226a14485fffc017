/**
 * The script catalog's public face. A request names a script; only names listed here can run.
 * (The scripts themselves live in diagnostics/; this list is replaced by the catalog loader.)
 */
const SCRIPT_NAMES = ['basic', 'network', 'jvm', 'node', 'python'] as const;

/** The names of the scripts a request may name. */
export function catalogScriptNames(): readonly string[] {
  return SCRIPT_NAMES;
}

/** True when `name` is a script of the catalog. */
export function isCatalogScript(name: string): boolean {
  return (SCRIPT_NAMES as readonly string[]).includes(name);
}
