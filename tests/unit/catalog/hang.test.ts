import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { getCatalogScript } from '#lib/catalog.ts';
import { BUSYBOX, describeWithTools } from '../../support/require-tool.ts';

let root: string;
/** busybox applets and the stand-in tools (on PATH). */
let bin: string;

/** A tool that never answers, like df on a hung network mount or jcmd against a stuck JVM. */
function hangingTool(name: string): void {
  const path = join(bin, name);
  writeFileSync(path, '#!/bin/sh\nexec sleep 600\n');
  chmodSync(path, 0o755);
}

function which(tool: string): string {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { encoding: 'utf8' }).stdout.trim();
}

describeWithTools([BUSYBOX])('catalog scripts with a tool that never answers', () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ecsdiag-hang-'));
    bin = join(root, 'bin');
    mkdirSync(bin);
    const installed = spawnSync('busybox', ['--install', '-s', bin]);
    if (installed.error) throw installed.error;
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('basic bounds df (a hung mount) and goes on to the next sections', () => {
    // Arrange
    rmSync(join(bin, 'df'));
    hangingTool('df');

    // Act: the spawn limit only detects a hang; it is far above the script's own bounds
    const result = spawnSync(join(bin, 'sh'), ['-c', getCatalogScript('basic')?.text ?? ''], {
      encoding: 'utf8',
      env: { PATH: bin },
      timeout: 55_000,
      killSignal: 'SIGKILL',
    });

    // Assert
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/df -h: no answer within \d+ s/);
    expect(result.stdout).toContain('===== environment variable names');
  });

  it('jvm bounds jcmd (a stuck JVM) and goes on', () => {
    // Arrange: a process whose executable is called java, and a jcmd that never answers. The stand-in
    // JVM is visible to every test on this machine: its directory holds no jcmd, so only this test's
    // PATH finds the hanging one.
    mkdirSync(join(root, 'jvm'));
    const java = join(root, 'jvm', 'java');
    copyFileSync(which('sleep'), java);
    chmodSync(java, 0o755);
    const jvm = spawnSync('sh', ['-c', '"$1" 120 >/dev/null 2>&1 & echo $!', 'sh', java], {
      encoding: 'utf8',
    });
    const pid = Number(jvm.stdout.trim());
    hangingTool('jcmd');

    try {
      // Act
      const result = spawnSync(join(bin, 'sh'), ['-c', getCatalogScript('jvm')?.text ?? ''], {
        encoding: 'utf8',
        env: { PATH: bin },
        timeout: 55_000,
        killSignal: 'SIGKILL',
      });

      // Assert
      expect(result.signal).toBeNull();
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`===== jvm pid ${pid} =====`);
      expect(result.stdout).toMatch(/jcmd VM\.version: no answer within \d+ s/);
      expect(result.stdout).toContain(`===== threads of ${pid}`);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });
});
