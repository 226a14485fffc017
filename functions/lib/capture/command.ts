import { randomBytes } from 'node:crypto';

/**
 * The longest command this project sends to ExecuteCommand. The ECS API reference gives `command` no length
 * constraint ("Type: String, Required: Yes"); the limit the session path applies is not documented, so this is
 * a budget of our own that every catalog script must fit in (a unit test checks it). It was 8192 until the
 * scripts gained the resource view, CPU sampling and runtime stacks (issue 13); 16384 stays far below the one
 * hard limit known on the container side, Linux's MAX_ARG_STRLEN (131072 bytes per argv word: the script is
 * one word). Not yet measured against the real session path: if AWS rejects a command, this is the place.
 */
export const MAX_COMMAND_LENGTH = 16384;

/** The prefix of the exit-status marker line; the full marker is `__ECSDIAG_RC_<nonce>=<status>`. */
export const MARKER_PREFIX = '__ECSDIAG_RC_';

/**
 * The prefix of the prelude line `__ECSDIAG_TTY_<nonce>` the wrapper prints after `stty -onlcr`: its line
 * ending tells whether the pty still turns `\n` into `\r\n` (see newlines.ts).
 */
export const PRELUDE_PREFIX = '__ECSDIAG_TTY_';

/** A fresh per-run random nonce (32 hex characters) for the exit-status marker. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Quotes one argv word so that Go shlex (the agent's splitter, no shell) and POSIX sh both read it back as
 * exactly these characters: single quotes keep everything literal, and a single quote is written as
 * '"'"' (close, a double-quoted quote, reopen).
 */
export function quoteWord(word: string): string {
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/**
 * The argv the container runs: `/bin/sh -c <wrapper> ecs-diag <script>`. The wrapper sets TERM=dumb,
 * PAGER=cat, NO_COLOR=1, turns off the pty's newline translation where the container has stty
 * (`stty -onlcr`), prints the prelude line, runs the script text as `$1` of a second sh with stdin from /dev/null (so `exit`
 * in the script cannot skip the marker and no tool waits on the terminal), then prints the exit-status
 * marker. The marker is printed from separate printf arguments so that the full marker never appears on
 * a command line (a script listing processes would otherwise print it).
 */
export function execArgv(scriptText: string, nonce: string): string[] {
  if (!/^[0-9a-f]{16,64}$/.test(nonce))
    throw new Error('the marker nonce must be 16 to 64 lowercase hex digits');
  const wrapper = [
    'export TERM=dumb PAGER=cat NO_COLOR=1',
    'stty -onlcr 2>/dev/null',
    `printf '%s%s\\n' ${PRELUDE_PREFIX} ${nonce}`,
    '/bin/sh -c "$1" ecs-diag-script </dev/null',
    `printf '%s%s=%s\\n' ${MARKER_PREFIX} ${nonce} "$?"`,
  ].join('; ');
  return ['/bin/sh', '-c', wrapper, 'ecs-diag', scriptText];
}

/** The ExecuteCommand `command` string for a script: execArgv, each word quoted for the agent's splitter. */
export function buildExecCommand(scriptText: string, nonce: string): string {
  return execArgv(scriptText, nonce).map(quoteWord).join(' ');
}
