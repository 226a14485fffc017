import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { buildExecCommand, execArgv, MARKER_PREFIX, newNonce, PRELUDE_PREFIX } from '#lib/capture/command.ts';
import { shellSplit } from '#local/agent-emulator/shlex.ts';
import { BUSYBOX, DASH, describeWithTools } from '../../support/require-tool.ts';

const HOSTILE_SCRIPTS: [string, string][] = [
  ['single quotes', "printf '%s\\n' 'it'\"'\"'s'; echo '''"],
  ['double quotes and escapes', 'echo "a \\"b\\" \\\\ c"'],
  ['command substitution', 'echo "$(echo sub)" $(echo two)'],
  ['backticks', 'echo `echo tick` "`echo t2`"'],
  ['newlines and a comment', 'echo one\n# a comment\necho two # trailing\n'],
  ['non-ASCII', 'echo "héllo — 日本語 🙂"'],
  ['a word starting with #', '#!/bin/sh\necho after'],
  ['exit in the middle', 'echo before; exit 7; echo never'],
  ['an attempt to fake the marker', `echo ${MARKER_PREFIX}deadbeef=0`],
  ['semicolons, pipes and globs', 'echo a;b=1; echo "$b" | cat; echo /*z*'],
];

/** Runs argv directly (as the agent execs it, no shell) and returns the output. */
function run(argv: string[]): { stdout: string; status: number | null } {
  const [program, ...args] = argv;
  const result = spawnSync(program ?? 'false', args, {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  return { stdout: result.stdout, status: result.status };
}

/** How a POSIX shell reads the command string back into words (printf %s\0 per word). */
function shellWords(shell: string[], command: string): string[] {
  const [program, ...args] = shell;
  const result = spawnSync(
    program ?? 'false',
    [...args, '-c', `eval "set -- $1"; printf '%s\\0' "$@"`, 'sh', command],
    {
      encoding: 'utf8',
    },
  );
  if (result.error) throw result.error;
  return result.stdout.split('\0').slice(0, -1);
}

describe('capture/command', () => {
  it.each(HOSTILE_SCRIPTS)(
    'runs a script with %s exactly as sh would run it directly, then prints the marker',
    (_name, script) => {
      // Arrange
      const nonce = newNonce();
      const direct = run(['/bin/sh', '-c', script]);

      // Act
      const wrapped = run(shellSplit(buildExecCommand(script, nonce)));

      // Assert
      expect(wrapped.stdout).toBe(
        `${PRELUDE_PREFIX}${nonce}\n${direct.stdout}${MARKER_PREFIX}${nonce}=${direct.status}\n`,
      );
      expect(wrapped.status).toBe(0);
    },
  );

  it('sets TERM=dumb, PAGER=cat and NO_COLOR=1 and gives the script no terminal input', () => {
    const nonce = newNonce();

    const result = run(shellSplit(buildExecCommand('echo "$TERM $PAGER $NO_COLOR"; cat; echo done', nonce)));

    expect(result.stdout).toBe(`${PRELUDE_PREFIX}${nonce}\ndumb cat 1\ndone\n${MARKER_PREFIX}${nonce}=0\n`);
  });

  it('never puts the whole marker on a command line', () => {
    const nonce = newNonce();

    const command = buildExecCommand('true', nonce);

    expect(command).not.toContain(`${MARKER_PREFIX}${nonce}`);
    expect(command).not.toContain(`${PRELUDE_PREFIX}${nonce}`);
  });

  it('draws a fresh 32-hex-digit nonce each time and rejects a malformed one', () => {
    const a = newNonce();
    const b = newNonce();

    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
    expect(() => buildExecCommand('true', "x'; reboot")).toThrow(/nonce/);
  });
});

describeWithTools([DASH, BUSYBOX])('capture/command under dash and busybox sh', () => {
  it.each(HOSTILE_SCRIPTS)(
    'keeps a script with %s intact through the agent splitter and POSIX sh',
    (_name, script) => {
      // Arrange
      const nonce = newNonce();

      // Act
      const command = buildExecCommand(script, nonce);

      // Assert
      const expected = execArgv(script, nonce);
      expect(expected[4]).toBe(script);
      expect(shellSplit(command)).toEqual(expected);
      expect(shellWords(['dash'], command)).toEqual(expected);
      expect(shellWords(['busybox', 'sh'], command)).toEqual(expected);
    },
  );
});
