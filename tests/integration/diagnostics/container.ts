/**
 * Runs a catalog script the way a container would see it: in a fresh PID namespace with its own /proc
 * (`unshare --pid --fork --mount-proc`, root only), next to a busy process the test starts, so that no other
 * process of this shared machine can be the hottest. The script runs with only the PATH given.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Why isolation is not possible here (undefined when it is). */
export function isolationMissing(): string | undefined {
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { encoding: 'utf8' });
  if (probe.error) return 'unshare (util-linux) is not installed: apt-get install util-linux';
  if (probe.status !== 0) return `unshare --pid --mount-proc needs root: ${probe.stderr.trim()}`;
  return undefined;
}

/** Where `tool` is on this machine's PATH ('' when absent). */
export function which(tool: string): string {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { encoding: 'utf8' }).stdout.trim();
}

/** A directory holding only these tools (symlinks), like an image that has nothing else. */
export function toolDir(dir: string, tools: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const tool of tools) {
    const found = which(tool);
    if (found === '') throw new Error(`${tool} is needed by this test`);
    symlinkSync(found, join(dir, tool));
  }
  return dir;
}

/** Tools of a slim Debian image (no procps, curl, wget, JDK). */
export const SLIM_TOOLS = [
  'sh',
  'cat',
  'tr',
  'grep',
  'cut',
  'sort',
  'head',
  'tail',
  'sed',
  'sleep',
  'readlink',
  'getconf',
  'id',
  'uname',
  'df',
  'date',
  'kill',
  'rm',
];

export interface ContainerRun {
  stdout: string;
  stderr: string;
  /** The script's exit status. */
  status: number;
  /** The busy process's pid inside the namespace. */
  busyPid?: number;
  /** What the busy process printed (a JVM's kill -3 thread dump lands here). */
  busyOutput: string;
}

const DRIVER = [
  's=$1; r=$2; shell=$3; shift 3',
  'b=',
  'if [ $# -gt 0 ]; then "$@" >"$r.out" 2>&1 & b=$!; i=0; while [ ! -e "$r" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done; echo "busy=$b"; fi',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  'env -i PATH="$SCRIPT_PATH" ${MD:+ECS_CONTAINER_METADATA_URI_V4="$MD"} ${SQ:+ECSDIAG_JVM_SIGQUIT="$SQ"} "$shell" -c "$s" >"$r.script" 2>"$r.err"',
  'echo "rc=$?"',
  'sleep 1',
  '[ -n "$b" ] && kill -9 "$b"',
  'exit 0',
].join('\n');

/**
 * Runs `script` under `shell` with PATH=`path` in a new PID namespace; `busy` (argv) starts first and
 * must create the file given as its last argument when it is ready.
 */
export async function runInContainer(options: {
  script: string;
  path: string;
  work: string;
  shell?: string;
  busy?: string[];
  metadataUri?: string;
  jvmSigquit?: boolean;
  timeoutMs?: number;
}): Promise<ContainerRun> {
  const ready = join(options.work, `ready-${Math.random().toString(16).slice(2)}`);
  const busy = options.busy === undefined ? [] : [...options.busy, ready];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SCRIPT_PATH: options.path,
  };
  if (options.metadataUri !== undefined) env.MD = options.metadataUri;
  if (options.jvmSigquit) env.SQ = '1';
  const args = [
    '--pid',
    '--fork',
    '--mount-proc',
    'sh',
    '-c',
    DRIVER,
    'driver',
    options.script,
    ready,
    options.shell ?? '/bin/sh',
    ...busy,
  ];
  const driver = await new Promise<string>((resolve, reject) => {
    execFile(
      'unshare',
      args,
      { env, encoding: 'utf8', timeout: options.timeoutMs ?? 90_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  const run: ContainerRun = {
    stdout: read(`${ready}.script`),
    stderr: read(`${ready}.err`),
    status: Number(/^rc=(\d+)$/m.exec(driver)?.[1] ?? -1),
    busyOutput: read(`${ready}.out`),
  };
  const busyPid = /^busy=(\d+)$/m.exec(driver)?.[1];
  if (busyPid !== undefined) run.busyPid = Number(busyPid);
  return run;
}

/** The lines of one `===== title =====` section (up to the next section). */
export function section(output: string, title: RegExp): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.startsWith('===== ') && title.test(line));
  if (start === -1) return [];
  const end = lines.findIndex((line, index) => index > start && line.startsWith('===== '));
  return lines.slice(start + 1, end === -1 ? undefined : end).filter((line) => line !== '');
}
