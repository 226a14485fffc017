import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getCatalogScript } from '#lib/catalog.ts';
import { NOT_APPLICABLE_EXIT_CODE } from '#lib/manifest.ts';
import { isolationMissing, runInContainer, SLIM_TOOLS, section, toolDir, which } from './container.ts';

/**
 * The catalog scripts against real runtimes: a busy Node, Python and JVM process started by the test in a
 * PID namespace of its own (a container's view), images without curl or wget simulated by PATH, a JRE-only
 * image made with jlink, the ECS task metadata endpoint served on loopback, the machine's own cgroups.
 */
const missing = isolationMissing();
const jdkMissing = which('jlink') === '' || which('javac') === '' || which('jcmd') === '';
for (const why of [
  missing,
  jdkMissing ? 'jlink, javac, jcmd (apt-get install default-jdk-headless)' : undefined,
]) {
  if (why === undefined) continue;
  if (process.env.CI === 'true') throw new Error(`these tests need ${why}`);
  process.stdout.write(`skipping runtime script tests that need ${why}\n`);
}
const itIsolated = missing === undefined ? it : it.skip;
const itJvm = missing === undefined && !jdkMissing ? it : it.skip;

let root: string;
let slim: string;
let slimCurl: string;
let slimWget: string;
let busybox: string;
let jre: string;
let metadata: Server;
let metadataUri: string;

const text = (name: string) => getCatalogScript(name)?.text ?? '';
const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], {
  encoding: 'utf8',
}).stdout.trim();

/** The pid column (second) of the first row of a process table. */
const topPid = (rows: string[]) => Number(rows[0]?.split(' ')[1]);

const TASK = {
  Cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/payments-prod',
  TaskARN: 'arn:aws:ecs:eu-west-1:111122223333:task/payments-prod/0123456789abcdef0123456789abcdef',
  Family: 'checkout-api',
  Revision: '42',
  Limits: { CPU: 0.5, Memory: 1024 },
  AvailabilityZone: 'eu-west-1a',
  LaunchType: 'FARGATE',
  Containers: [
    { Name: 'checkout', Image: 'checkout:1.2.3', KnownStatus: 'RUNNING', Limits: { CPU: 512, Memory: 1024 } },
  ],
};
const STATS = {
  name: 'checkout',
  cpu_stats: {
    cpu_usage: { total_usage: 123456789 },
    online_cpus: 2,
    throttling_data: { periods: 1200, throttled_periods: 340, throttled_time: 98765432 },
  },
  memory_stats: { usage: 912261120, max_usage: 1040187392, limit: 1073741824 },
  networks: { eth1: { rx_bytes: 1000, rx_dropped: 0, tx_bytes: 2000, tx_dropped: 3 } },
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ecsdiag-runtimes-'));
  slim = toolDir(join(root, 'slim'), SLIM_TOOLS);
  slimCurl = toolDir(join(root, 'slim-curl'), [...SLIM_TOOLS, 'curl']);
  slimWget = toolDir(join(root, 'slim-wget'), [...SLIM_TOOLS, 'wget']);
  busybox = join(root, 'busybox');
  mkdirSync(busybox);
  spawnSync('busybox', ['--install', '-s', busybox]);
  writeFileSync(
    join(root, 'busy.cjs'),
    "require('fs').writeFileSync(process.argv[2], '');\nfunction burn() { const t = Date.now(); while (Date.now() - t < 50) {} setImmediate(burn); }\nburn();\n",
  );
  writeFileSync(
    join(root, 'busy.py'),
    'import pathlib, sys\n\ndef spin():\n    pathlib.Path(sys.argv[1]).touch()\n    while True:\n        pass\n\nspin()\n',
  );
  writeFileSync(
    join(root, 'Busy.java'),
    'public class Busy { static volatile long n; static void spin() { for (;;) n++; } public static void main(String[] a) throws Exception { java.nio.file.Files.createFile(java.nio.file.Path.of(a[0])); spin(); } }\n',
  );
  if (!jdkMissing) {
    expect(spawnSync('javac', ['-d', root, join(root, 'Busy.java')]).status).toBe(0);
    jre = join(root, 'jre');
    const linked = spawnSync('jlink', [
      '--add-modules',
      'java.base',
      '--output',
      jre,
      '--no-header-files',
      '--no-man-pages',
    ]);
    expect(linked.status).toBe(0);
  }
  metadata = createServer((request, response) => {
    const path = (request.url ?? '').replace(/^\/v4\/test/, '');
    const body =
      path === '/task'
        ? TASK
        : path === '/stats'
          ? STATS
          : path === '/task/stats'
            ? { abc123: STATS }
            : undefined;
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
  metadataUri = `http://127.0.0.1:${(metadata.address() as { port: number }).port}/v4/test`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => metadata?.close(resolve));
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe('cpu script against busy runtimes', () => {
  itIsolated(
    'finds the busy Node process hottest, its hottest thread, and reads back its diagnostic report',
    async () => {
      // Act
      const run = await runInContainer({
        script: text('cpu'),
        path: slim,
        work: root,
        busy: [process.execPath, '--report-on-signal', join(root, 'busy.cjs')],
      });

      // Assert
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      for (const title of [/resources: ecs task metadata/, /resources: cgroup/, /sample 1 of 2/]) {
        expect(section(run.stdout, title).length).toBeGreaterThan(0);
      }
      expect(topPid(section(run.stdout, /hottest processes, sample 2 of 2/))).toBe(run.busyPid);
      const threads = section(run.stdout, new RegExp(`hottest threads of ${run.busyPid} `));
      expect(Number(threads[0]?.split(' ')[1])).toBe(run.busyPid);
      const report = section(run.stdout, new RegExp(`node stacks of ${run.busyPid}`)).join('\n');
      expect(report).toMatch(/diagnostic report report\.\d+\.\d+\.\d+\.\d+\.\d+\.json/);
      expect(report).toContain('"javascriptHeap"');
      expect(report).not.toContain('"environmentVariables"');
      expect(report).not.toContain('"sharedObjects"');
      expect(existsSync(join(root, 'report'))).toBe(false);
    },
  );

  itIsolated(
    'finds the busy Python process hottest and says what py-spy needs when the image lacks it',
    async () => {
      const run = await runInContainer({
        script: text('cpu'),
        path: slim,
        work: root,
        busy: [python, join(root, 'busy.py')],
      });

      expect(run.stderr).toBe('');
      expect(topPid(section(run.stdout, /hottest processes, sample 2 of 2/))).toBe(run.busyPid);
      const stacks = section(run.stdout, new RegExp(`python stacks of ${run.busyPid}`)).join('\n');
      expect(stacks).toContain('py-spy: not available in this image');
      expect(stacks).toContain('SYS_PTRACE');
    },
  );

  itIsolated(
    'calls py-spy dump on the hottest Python process when the image has py-spy, and explains a failure',
    async () => {
      // py-spy is not packaged for Debian (pip only), so a stand-in on PATH records how the script calls it.
      const withPySpy = toolDir(join(root, 'slim-py-spy'), SLIM_TOOLS);
      writeFileSync(join(withPySpy, 'py-spy'), '#!/bin/sh\nprintf "stand-in py-spy %s\\n" "$*"\n', {
        mode: 0o755,
      });
      const failing = toolDir(join(root, 'slim-py-spy-fails'), SLIM_TOOLS);
      writeFileSync(
        join(failing, 'py-spy'),
        '#!/bin/sh\necho "Permission denied (os error 13)" >&2\nexit 1\n',
        { mode: 0o755 },
      );

      const ok = await runInContainer({
        script: text('python'),
        path: withPySpy,
        work: root,
        busy: [python, join(root, 'busy.py')],
      });
      const denied = await runInContainer({
        script: text('python'),
        path: failing,
        work: root,
        busy: [python, join(root, 'busy.py')],
      });

      expect(section(ok.stdout, new RegExp(`py-spy dump ${ok.busyPid}`))).toEqual([
        `stand-in py-spy dump --pid ${ok.busyPid}`,
      ]);
      const failure = section(denied.stdout, new RegExp(`py-spy dump ${denied.busyPid}`)).join('\n');
      expect(failure).toContain('Permission denied');
      expect(failure).toMatch(
        /py-spy failed or gave no answer within 30 s \(exit 1\): the task may need the SYS_PTRACE capability/,
      );
    },
  );

  itJvm('finds the busy JVM hottest and prints its jcmd thread dump with the spinning frame', async () => {
    const run = await runInContainer({
      script: text('cpu'),
      path: `${slim}:/usr/bin`,
      work: root,
      busy: [which('java'), '-cp', root, 'Busy'],
    });

    expect(run.stderr).toBe('');
    expect(topPid(section(run.stdout, /hottest processes, sample 2 of 2/))).toBe(run.busyPid);
    const dump = section(run.stdout, new RegExp(`jcmd ${run.busyPid} Thread.print`)).join('\n');
    expect(dump).toContain('at Busy.spin(Busy.java');
    // The hottest thread's nid leads to its stack in the dump: the spinning main thread.
    const hottest = section(run.stdout, new RegExp(`hottest threads of ${run.busyPid} `))[0] ?? '';
    const nid = /nid=(0x[0-9a-f]+)$/.exec(hottest)?.[1];
    const stack = dump.slice(dump.indexOf(`nid=${nid} `)).split('\n\n')[0];
    expect(stack).toMatch(/^nid=0x[0-9a-f]+ [\s\S]*at Busy\.spin\(Busy\.java/);
  });
});

describe('jvm script', () => {
  itJvm(
    'with a JRE only (jlink, no jcmd on PATH or beside java) says what to add, and kill -3 only on opt-in',
    async () => {
      const busy = [join(jre, 'bin', 'java'), '-cp', root, 'Busy'];
      const plain = await runInContainer({ script: text('jvm'), path: slim, work: root, busy });
      const optedIn = await runInContainer({
        script: text('jvm'),
        path: slim,
        work: root,
        busy,
        jvmSigquit: true,
      });

      expect(plain.status).toBe(0);
      expect(plain.stdout).toContain('jcmd: not available in this image');
      expect(plain.stdout).toContain('jlink --add-modules jdk.jcmd');
      expect(plain.stdout).toContain('ECSDIAG_JVM_SIGQUIT=1');
      expect(plain.busyOutput).not.toContain('Full thread dump');
      expect(optedIn.stdout).toContain(`sent kill -3 to ${optedIn.busyPid}`);
      expect(optedIn.busyOutput).toContain('Full thread dump');
    },
  );

  itJvm('with a JDK prints heap, native memory and thread dump sections', async () => {
    const run = await runInContainer({
      script: text('jvm'),
      path: slim,
      work: root,
      busy: [which('java'), '-cp', root, 'Busy'],
    });

    expect(run.status).toBe(0);
    for (const command of ['VM.version', 'GC.heap_info', 'VM.native_memory summary', 'Thread.print']) {
      expect(run.stdout).toContain(`===== jcmd ${run.busyPid} ${command} =====`);
    }
    expect(run.stdout).toContain('Native memory tracking is not enabled');
  });
});

describe('runtime scripts with nothing to diagnose', () => {
  it.each([['jvm'], ['node'], ['python']])(
    '%s exits 97 with one line saying what it looked for',
    async (name) => {
      if (missing !== undefined) return;
      const run = await runInContainer({ script: text(name), path: slim, work: root });

      expect(run.status).toBe(NOT_APPLICABLE_EXIT_CODE);
      expect(run.stdout).toMatch(
        /^not applicable: no process whose executable is .+ \(looked at \/proc\/\*\/exe\)\n$/,
      );
    },
  );
});

describe('memory and basic scripts', () => {
  itIsolated(
    'memory lists the Node process first by RSS with PSS and swap, and its heap from a report',
    async () => {
      const run = await runInContainer({
        script: text('memory'),
        path: slim,
        work: root,
        busy: [process.execPath, '--report-on-signal', join(root, 'busy.cjs')],
      });

      expect(run.stderr).toBe('');
      const rows = section(run.stdout, /memory per process, by rss/);
      expect(Number(rows[0]?.split(' ')[4])).toBe(run.busyPid);
      expect(rows[0]).toMatch(/^\d+ \d+ \d+ \d+ /);
      expect(section(run.stdout, /cgroup memory breakdown/).join('\n')).toMatch(/memory\.stat:/);
      expect(section(run.stdout, /oom history/).join('\n')).toMatch(/oom/);
      expect(section(run.stdout, new RegExp(`node heap of ${run.busyPid}`)).join('\n')).toContain(
        '"javascriptHeap"',
      );
    },
  );

  itIsolated(
    'basic sorts processes by measured CPU, folds kernel threads, and sorts descriptors numerically',
    async () => {
      const run = await runInContainer({
        script: text('basic'),
        path: slim,
        work: root,
        busy: [python, join(root, 'busy.py')],
      });

      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(topPid(section(run.stdout, /processes by cpu/))).toBe(run.busyPid);
      expect(run.stdout).toMatch(/\(\d+ kernel threads left out\)/);
      const fds = section(run.stdout, /open file descriptors per process/)
        .slice(1)
        .map((line) => Number(line.split(' ')[0]));
      expect(fds.length).toBeGreaterThan(1);
      expect(fds).toEqual([...fds].sort((a, b) => b - a));
      expect(section(run.stdout, /tcp sockets by state/).length).toBeGreaterThan(0);
    },
  );
});

describe('resource view', () => {
  const cases: [string, () => string, RegExp][] = [
    ['curl', () => slimCurl, /"Limits":\{"CPU":0\.5,"Memory":1024\}/],
    ['GNU wget', () => slimWget, /"Limits":\{"CPU":0\.5,"Memory":1024\}/],
    ['busybox wget', () => busybox, /"Limits":\{"CPU":0\.5,"Memory":1024\}/],
    ['neither curl nor wget', () => slim, /curl\/wget\/busybox wget: none in this image/],
  ];
  it.each(cases)('reads the ECS task metadata endpoint with %s', async (_tool, path, expected) => {
    if (missing !== undefined) return;
    const run = await runInContainer({
      script: text('memory'),
      path: path(),
      work: root,
      shell: path() === busybox ? join(busybox, 'sh') : '/bin/sh',
      metadataUri,
    });

    const view = section(run.stdout, /resources: ecs task metadata/).join('\n');
    expect(view).toMatch(expected);
    if (path() !== slim) {
      expect(view).toContain(
        '"throttling_data":{"periods":1200,"throttled_periods":340,"throttled_time":98765432}',
      );
      expect(view).toContain('"limit":1073741824');
      expect(view).toContain('"eth1":{"rx_bytes":1000');
    }
  });

  it('reads the cgroup v2 view where the machine has one, and v1 where it has that', async () => {
    if (missing !== undefined) return;
    const v2 = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'].some((dir) =>
      existsSync(`${dir}/cgroup.controllers`),
    );
    const v1 = existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes');
    const run = await runInContainer({ script: text('memory'), path: slim, work: root });

    const view = section(run.stdout, /resources: cgroup/).join('\n');
    if (v2) expect(view).toMatch(/^cgroup v2: \/sys\/fs\/cgroup\S*\n.*cpu\.stat: usage_usec \d+/m);
    if (v1) expect(view).toMatch(/memory\.limit_in_bytes: \d+/);
    if (!v2 && !v1) expect(view).toContain('no cgroup found');
  });
});
