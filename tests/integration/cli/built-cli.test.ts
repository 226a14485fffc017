import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildCli } from '../../../build/build.mjs';

/** The machine's own Node (the first on PATH outside node_modules): the CLI must run there, e.g. Node 20. */
function systemNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.includes('node_modules')) continue;
    const candidate = join(dir, 'node');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

const node = systemNode();
const major =
  node === undefined
    ? 0
    : Number(execFileSync(node, ['-p', 'process.versions.node.split(".")[0]']).toString());

describe('the built ecs-diag CLI (dist/cli/ecs-diag.mjs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-diag-built-'));
  let cli = '';

  beforeAll(async () => {
    cli = ((await buildCli(dir)) as { file: string }).file;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`runs on the system Node (${node ?? 'none found'}, major ${major}) without TypeScript`, () => {
    if (node === undefined) throw new Error('no system node on PATH outside node_modules');
    const env = { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };

    const version = spawnSync(node, [cli, '--version'], { env, encoding: 'utf8' });
    const scripts = spawnSync(node, [cli, 'scripts', '--json'], { env, encoding: 'utf8' });
    const dryRun = spawnSync(node, [cli, 'dry-run', '--event', 'events/eventbridge-alarm-back-to-ok.json'], {
      env,
      encoding: 'utf8',
    });
    const usage = spawnSync(node, [cli, 'run', '--cluster', 'c'], { env, encoding: 'utf8' });

    expect(major).toBeGreaterThanOrEqual(20);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(scripts.status).toBe(0);
    expect(
      (JSON.parse(scripts.stdout) as { scripts: { name: string }[] }).scripts.map((s) => s.name),
    ).toContain('basic');
    expect(dryRun.status).toBe(3);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('give --service NAME or --task ID');
  });
});
