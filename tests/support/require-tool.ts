import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe } from '@jest/globals';

/** A system tool a test needs and the project cannot install from npm: its name and how to get it. */
export interface SystemTool {
  tool: string;
  install: string;
}

/** The absolute path of `tool` on `path` (PATH's format), or undefined when no directory holds it. */
export function findOnPath(tool: string, path: string = process.env.PATH ?? ''): string | undefined {
  for (const directory of path.split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Whether every tool is on PATH. A missing one prints one line naming it and its install command, and the
 * caller skips its tests; under CI (`CI=true`, where .ci/run installs them) a missing tool throws instead,
 * so CI never passes by skipping.
 */
export function requireTools(
  tools: SystemTool[],
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): boolean {
  const missing = tools.filter(({ tool }) => findOnPath(tool, env.PATH ?? '') === undefined);
  if (missing.length === 0) return true;
  const line = `skipped: needs ${missing.map(({ tool, install }) => `${tool} (${install})`).join(', ')}`;
  if (env.CI === 'true') {
    throw new Error(`${line}; CI must have it: add it to .ci/run`);
  }
  warn(line);
  return false;
}

/** `describe` when every tool is on PATH, otherwise `describe.skip` after the one-line reason. */
export function describeWithTools(tools: SystemTool[]): typeof describe.skip {
  return requireTools(tools) ? describe : describe.skip;
}

export const BUSYBOX: SystemTool = { tool: 'busybox', install: 'apt-get install busybox' };
export const DASH: SystemTool = { tool: 'dash', install: 'apt-get install dash' };
