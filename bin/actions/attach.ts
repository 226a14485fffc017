/**
 * `ecs-diag attach` (its flags: bin/commands/attach.ts): connects to an existing ExecuteCommand session and
 * writes its raw output to stdout or a file.
 * Exit codes: 0 normal close, 1 failure, 2 usage error, 124 truncated by --timeout, 130 interrupted (Ctrl-C).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type CaptureSummary, openSessionCapture, type SessionCredentials } from '#lib/ssm-session/index.ts';
import { type ClientConfig, clientConfig } from '../cli/aws.ts';
import { CliError, EXIT } from '../cli/exit-codes.ts';
import { openOutputFile } from '../cli/file-output.ts';
import { keepYoungGenerationSmall } from '../cli/memory.ts';
import type { AttachOptions } from '../commands/attach.ts';
import type { CommandContext } from '../program.ts';

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function fail(message: string, code: number): number {
  process.stderr.write(`ecs-diag attach: ${message}\n`);
  return code;
}

/** Reads the --session value: inline JSON or a file; accepts the session object or the whole ExecuteCommand response. */
export function parseSession(value: string): SessionCredentials {
  let text = value.trim();
  if (!text.startsWith('{')) {
    if (!existsSync(value)) {
      throw new UsageError(`--session: ${JSON.stringify(value)} is neither JSON nor an existing file`);
    }
    text = readFileSync(value, 'utf8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--session: not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object') throw new UsageError('--session: not a JSON object');
  const record = parsed as Record<string, unknown>;
  const inner = typeof record.session === 'object' && record.session !== null ? record.session : record;
  const fields = inner as Record<string, unknown>;
  const pick = (name: string): string => {
    const found = fields[name] ?? fields[name.charAt(0).toUpperCase() + name.slice(1)];
    if (typeof found !== 'string' || found === '') {
      throw new UsageError(`--session: field ${name} is missing or not a string`);
    }
    return found;
  };
  const session = {
    sessionId: pick('sessionId'),
    streamUrl: pick('streamUrl'),
    tokenValue: pick('tokenValue'),
  };
  let url: URL;
  try {
    url = new URL(session.streamUrl);
  } catch {
    throw new UsageError('--session: streamUrl is not a URL');
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
    throw new UsageError(`--session: streamUrl must be a ws:// or wss:// URL, not ${url.protocol}`);
  }
  return session;
}

/** The region from a `ssmmessages.<region>.amazonaws.com` stream URL, when AWS_REGION is not set. */
function regionFromStreamUrl(streamUrl: string): string | undefined {
  const match = /^ssmmessages\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(streamUrl).hostname);
  return match?.[1];
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout: ${JSON.stringify(value)} is not a positive number of seconds`);
  }
  return seconds;
}

function parseTarget(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^ecs:\S+_\S+_\S+$/.test(value)) {
    throw new UsageError(
      `--target: ${JSON.stringify(value)} is not of the form ecs:<cluster>_<taskId>_<runtimeId>`,
    );
  }
  return value;
}

/** Runs `attach`: checks the flags, captures the session, records the exit code. */
export async function attach(options: AttachOptions, context: CommandContext): Promise<void> {
  keepYoungGenerationSmall();
  let session: SessionCredentials;
  let timeoutSeconds: number | undefined;
  let targetId: string | undefined;
  try {
    session = parseSession(options.session);
    timeoutSeconds = parseTimeout(options.timeout);
    targetId = parseTarget(options.target);
    if (options.out === '') throw new UsageError('--out: empty file name');
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.usage);
  }
  context.exit(
    await captureSession(session, timeoutSeconds, targetId, options.out, clientConfig(context.globals())),
  );
}

/** Captures the session's output; returns the exit code. */
async function captureSession(
  session: SessionCredentials,
  timeoutSeconds: number | undefined,
  targetId: string | undefined,
  out: string | undefined,
  config: ClientConfig,
): Promise<number> {
  const region =
    config.region ??
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION ??
    regionFromStreamUrl(session.streamUrl);
  const clientConfig = { ...config, ...(region === undefined ? {} : { region }) };
  let destination: Writable = process.stdout;
  if (out !== undefined) {
    try {
      destination = openOutputFile(out);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      return fail(`--out: cannot write ${JSON.stringify(out)} (${reason}); the session was not opened`, 1);
    }
  }
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const capture = openSessionCapture({
    session,
    ...(targetId === undefined ? {} : { targetId }),
    awsClientConfig: clientConfig,
    ...(timeoutSeconds === undefined ? {} : { deadline: Date.now() + timeoutSeconds * 1000 }),
    signal: controller.signal,
  });
  const [written, result] = await Promise.allSettled([
    pipeline(capture.output, destination, { end: out !== undefined }),
    capture.done,
  ]);
  process.off('SIGINT', onSigint);
  const where = out === undefined ? '' : ` (the output written to ${out} is incomplete)`;
  if (result.status === 'rejected') {
    const error = result.reason as Error;
    return fail(`${error.name}: ${error.message}${where}`, 1);
  }
  if (written.status === 'rejected') {
    return fail(`could not write the output: ${(written.reason as Error).message}`, 1);
  }
  return finish(result.value, timeoutSeconds, out);
}

function finish(
  summary: CaptureSummary,
  timeoutSeconds: number | undefined,
  out: string | undefined,
): number {
  if (!summary.truncated) return 0;
  const kept = `${summary.bytes} bytes of output kept${out === undefined ? '' : ` in ${out}`}`;
  const terminate =
    summary.terminateError === undefined
      ? 'the session was terminated'
      : `TerminateSession failed (${summary.terminateError}); the command may still be running`;
  if (summary.truncatedReason === 'aborted') {
    return fail(`interrupted: output truncated; ${terminate}; ${kept}`, EXIT.interrupted);
  }
  return fail(`truncated: the --timeout of ${timeoutSeconds} s passed; ${terminate}; ${kept}`, EXIT.timeout);
}
