import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { buildExecCommand, MARKER_PREFIX, newNonce, PRELUDE_PREFIX } from '#lib/capture/command.ts';
import { catalogScriptNames, getCatalogScript } from '#lib/catalog.ts';
import { shellSplit } from '#local/agent-emulator/shlex.ts';
import { BUSYBOX, DASH, describeWithTools } from '../../support/require-tool.ts';

/** Tools of a slim Debian image without procps, iproute2, net-tools or a JDK. */
const SLIM_TOOLS = [
  'cat',
  'tr',
  'grep',
  'cut',
  'sort',
  'head',
  'tail',
  'uniq',
  'date',
  'readlink',
  'id',
  'uname',
  'df',
  'printenv',
  'sleep',
  'sed',
];

/** A runtime script finds no such process here (97, one line saying what it looked for) or diagnoses one (0). */
const RUNTIME_SCRIPTS = new Set(['jvm', 'node', 'python']);
const NOT_APPLICABLE =
  /^not applicable: no process whose executable is [^\n]+\(looked at \/proc\/\*\/exe\)\n$/;

const SECTIONS: Record<string, RegExp[]> = {
  basic: [
    /===== identity =====/,
    /===== processes/,
    /===== memory =====/,
    /===== disk =====/,
    /===== environment variable names/,
  ],
  network: [
    /===== interfaces =====/,
    /===== routes =====/,
    /===== dns resolution =====/,
    /===== connectivity checks =====/,
  ],
  // Any JVM, Node or Python process on the test machine is listed; with none, the script says "not applicable".
  jvm: [/^not applicable: no process whose executable is java|===== jvm pid \d+ =====/m],
  node: [/^not applicable: no process whose executable is node|===== handles of \d+ =====/m],
  python: [/^not applicable: no process whose executable is python|===== python pid \d+ =====/m],
  cpu: [/===== resources: cgroup =====/, /===== hottest processes, sample 2 of 2/],
  memory: [/===== cgroup memory breakdown/, /===== memory per process, by rss/],
};

let root: string;
let busyboxPath: string;
let slimPath: string;

function which(tool: string): string {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { encoding: 'utf8' }).stdout.trim();
  if (found === '') throw new Error(`${tool} is needed by this test`);
  return found;
}

describeWithTools([BUSYBOX, DASH])('catalog scripts running in images that do not contain them', () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ecsdiag-images-'));
    busyboxPath = join(root, 'busybox');
    slimPath = join(root, 'slim');
    mkdirSync(busyboxPath);
    mkdirSync(slimPath);
    const installed = spawnSync('busybox', ['--install', '-s', busyboxPath]);
    if (installed.error) throw installed.error;
    for (const tool of SLIM_TOOLS) symlinkSync(which(tool), join(slimPath, tool));
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each(catalogScriptNames().map((name) => [name]))(
    '%s runs under busybox sh with only busybox applets (alpine-like)',
    (name) => {
      // Arrange
      const text = getCatalogScript(name)?.text ?? '';

      // Act
      const result = spawnSync(join(busyboxPath, 'sh'), ['-c', text], {
        encoding: 'utf8',
        env: { PATH: busyboxPath },
      });

      // Assert
      expect(result.stderr).toBe('');
      if (RUNTIME_SCRIPTS.has(name) && result.status === 97) expect(result.stdout).toMatch(NOT_APPLICABLE);
      else expect(result.status).toBe(0);
      for (const section of SECTIONS[name] ?? []) expect(result.stdout).toMatch(section);
    },
  );

  it.each(catalogScriptNames().map((name) => [name]))(
    '%s runs through the real command under dash with slim-Debian tools, saying what is not available',
    (name) => {
      // Arrange
      const nonce = newNonce();
      const [program, ...args] = shellSplit(buildExecCommand(getCatalogScript(name)?.text ?? '', nonce));

      // Act
      const result = spawnSync(program ?? 'false', args, { encoding: 'utf8', env: { PATH: slimPath } });

      // Assert
      expect(result.stderr).toBe('');
      // The wrapper's first line is the newline prelude (see diagnostics/README.md); the script's output follows.
      expect(result.stdout.startsWith(`${PRELUDE_PREFIX}${nonce}\n`)).toBe(true);
      const printed = result.stdout.slice(`${PRELUDE_PREFIX}${nonce}\n`.length);
      const status = RUNTIME_SCRIPTS.has(name) && printed.startsWith('not applicable') ? 97 : 0;
      expect(result.stdout.endsWith(`${MARKER_PREFIX}${nonce}=${status}\n`)).toBe(true);
      for (const section of SECTIONS[name] ?? []) expect(result.stdout).toMatch(section);
      if (name === 'basic') expect(result.stdout).toContain('ss/netstat: not available in this image');
      if (name === 'network') expect(result.stdout).toContain('ip/ifconfig: not available in this image');
    },
  );

  it('network checks the configured host:port pairs on loopback and skips malformed entries', async () => {
    // Arrange
    const server: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const targets = `127.0.0.1:${port},127.0.0.1:1 bad;host:1 x:notaport *:1`;

    // Act
    const result = spawnSync(join(busyboxPath, 'sh'), ['-c', getCatalogScript('network')?.text ?? ''], {
      encoding: 'utf8',
      env: { PATH: busyboxPath, ECSDIAG_CHECK_TARGETS: targets },
    });
    await new Promise((resolve) => server.close(resolve));

    // Assert
    const checks = result.stdout.slice(result.stdout.indexOf('===== connectivity checks ====='));
    expect(checks).toContain(`127.0.0.1:${port} open`);
    expect(checks).toMatch(/127\.0\.0\.1:1 failed \(exit \d+\)/);
    expect(checks.match(/skipped a host with unexpected characters/g)).toHaveLength(2);
    expect(checks).toContain('skipped an entry that is not host:port');
  });

  it('basic prints environment variable names and never their values', () => {
    const text = getCatalogScript('basic')?.text ?? '';

    const result = spawnSync('/bin/sh', ['-c', text], {
      encoding: 'utf8',
      env: { PATH: slimPath, ECSDIAG_TEST_SECRET: 'value-that-must-not-appear\nSECOND_LINE=also-hidden' },
    });

    expect(result.stdout).toMatch(/^ECSDIAG_TEST_SECRET$/m);
    expect(result.stdout).not.toContain('value-that-must-not-appear');
    expect(result.stdout).not.toContain('also-hidden');
  });
});
