/** Types for build/build.mjs (plain JavaScript so the system Node can run it). */
export function functionNames(): string[];
export function bundleOptions(name: string, outdir: string): Record<string, unknown>;
export function buildFunctions(
  names?: string[],
  outRoot?: string,
  single?: boolean,
): Promise<Record<string, { file: string; bytes: number }>>;
export function cliOptions(outdir?: string): Record<string, unknown>;
export function buildCli(outdir?: string): Promise<{ file: string; bytes: number }>;
