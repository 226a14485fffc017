/** Types for build/build.mjs (plain JavaScript so the system Node can run it). */
import type { BuildOptions, Metafile, Plugin } from 'esbuild';

export function functionNames(): string[];
export function bundleOptions(name: string, outdir: string): BuildOptions & { metafile: true };
export const builtinsAsRequire: Plugin;
export const routingTableAtBuild: Plugin;
export const crc32NativeOnUse: Plugin;
export function loadedBytes(outputs: Metafile['outputs'], file: string, seen?: Set<string>): number;
export function buildFunctions(
  names?: string[],
  outRoot?: string,
  single?: boolean,
): Promise<Record<string, { file: string; bytes: number }>>;
export function cliOptions(outdir?: string): Record<string, unknown>;
export function buildCli(outdir?: string): Promise<{ file: string; bytes: number }>;
