import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildExecCommand, MARKER_PREFIX, newNonce, quoteWord } from '#lib/capture/command.ts';
import { type CaptureToS3Options, captureToS3, truncationNote } from '#lib/capture/index.ts';
import { PART_SIZE } from '#lib/capture/s3-sink.ts';
import { missingShellCheck } from '#lib/ecs-errors.ts';
import { captureOutcome } from '#lib/outcome.ts';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { generatedOutput } from '#local/agent-emulator/generated-output.ts';
import { type AgentEmulator, type SessionSpec, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { type LocalS3, startLocalS3 } from '#local/s3.ts';

const REGION = 'us-east-1';
const BUCKET = 'capture-bucket';

let agent: AgentEmulator;
let localS3: LocalS3;
let s3: S3Client;
let ssm: SSMClient;
let proxy: Server;
let proxyLog: { method: string; url: string; status: number }[];

/** An S3 proxy in front of the local S3 that fails every UploadPart of part 2 with a 500. */
async function startFailingProxy(target: string): Promise<{ server: Server; endpoint: string }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (req.method === 'PUT' && /[?&]partNumber=2(&|$)/.test(url)) {
      req.resume();
      req.on('end', () => {
        proxyLog.push({ method: 'PUT', url, status: 500 });
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0"?><Error><Code>InternalError</Code><Message>injected</Message></Error>');
      });
      return;
    }
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: url, headers: req.headers },
      (answer) => {
        proxyLog.push({ method: req.method ?? '', url, status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Opens a session on the agent emulator and streams it through the real pipeline into S3. */
async function capture(
  spec: SessionSpec,
  overrides: Partial<CaptureToS3Options> & { deadline?: number } = {},
) {
  const credentials = agent.createSession(spec);
  const stop = new AbortController();
  const session = openSessionCapture({
    session: credentials,
    ssm,
    signal: stop.signal,
    ...(overrides.deadline === undefined ? {} : { deadline: overrides.deadline }),
  });
  const key = `runs/2026/11/26/test/${credentials.sessionId}.log`;
  const result = captureToS3({
    s3,
    bucket: BUCKET,
    key,
    output: session.output,
    done: session.done,
    nonce: overrides.nonce ?? 'f'.repeat(32),
    outputCapBytes: 1024 * 1024,
    stopSession: () => stop.abort(),
    metadata: { script: 'test' },
    ...overrides,
  });
  return { key, result, sessionId: credentials.sessionId };
}

/** Generated output imitates a pty (`\r\n`); without the exec wrapper's prelude the pipeline undoes it. */
function withoutCrlf(data: Buffer): Buffer {
  return Buffer.from(data.toString('latin1').replaceAll('\r\n', '\n'), 'latin1');
}

async function getObject(key: string) {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return { body: await buffer(object.Body as NodeJS.ReadableStream), metadata: object.Metadata ?? {} };
}

async function objectExists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return false;
    throw error;
  }
}

describe('capture to S3 (agent emulator + local S3)', () => {
  beforeAll(async () => {
    agent = await startAgentEmulator({ region: REGION });
    localS3 = await startLocalS3({ region: REGION });
    await localS3.createBucket(BUCKET, REGION);
    s3 = localS3.client(REGION);
    ssm = new SSMClient({ region: REGION, endpoint: agent.httpEndpoint });
    proxyLog = [];
    proxy = (await startFailingProxy(localS3.endpoint)).server;
  });

  afterAll(async () => {
    ssm.destroy();
    await new Promise((resolve) => proxy.close(resolve));
    await localS3.close();
    await agent.close();
  });

  it('stores the exact bytes of a hostile script, without the marker, and records its exit code', async () => {
    // Arrange
    const script = `printf '%s\\n' "it's \\"quoted\\"" '$(not run)' '\`nor this\`'\necho "héllo — 日本語 🙂"\nprintf 'no newline at the end'\nexit 3\n`;
    const direct = spawnSync('/bin/sh', ['-c', script]).stdout;
    const nonce = newNonce();

    // Act
    const { key, result } = await capture({ command: buildExecCommand(script, nonce) }, { nonce });
    const stored = await result;

    // Assert
    const expected = direct;
    const object = await getObject(key);
    expect(object.body.toString('utf8')).toBe(expected.toString('utf8'));
    expect(stored).toMatchObject({
      exitCode: 3,
      truncated: false,
      redactions: 0,
      bytes: expected.length,
      newlines: 'stty-onlcr-off',
    });
    expect(object.metadata).toMatchObject({
      'exit-code': '3',
      bytes: String(expected.length),
      truncated: 'false',
      redactions: '0',
      script: 'test',
    });
  });

  it('stops at the output cap, stops the session and notes the truncation at the end', async () => {
    // Arrange
    const cap = 50_000;
    const produced = withoutCrlf(await buffer(generatedOutput(400_000)));

    // Act
    const { key, result, sessionId } = await capture(
      { generatedOutputBytes: 400_000 },
      { outputCapBytes: cap },
    );
    const stored = await result;

    // Assert
    const object = await getObject(key);
    const noteAt = object.body.lastIndexOf('\n[ecs-diag] output truncated after ');
    const kept = object.body.subarray(0, noteAt);
    expect(kept.length).toBeLessThanOrEqual(cap);
    expect(kept.length).toBeGreaterThan(cap - 4);
    expect(kept.equals(produced.subarray(0, kept.length))).toBe(true);
    expect(object.body.subarray(noteAt).toString('utf8')).toBe(truncationNote('output-cap', kept.length));
    expect(stored).toMatchObject({
      truncated: true,
      truncationReason: 'output-cap',
      exitCode: null,
      bytes: object.body.length,
    });
    expect(object.metadata).toMatchObject({
      truncated: 'true',
      'truncation-reason': 'output-cap',
      bytes: String(object.body.length),
    });
    expect((await agent.waitForSession(sessionId)).state).toBe('terminated');
  });

  it('redacts secrets that straddle the agent’s 1024-byte message boundary', async () => {
    // Arrange: a 1015-byte line start puts each secret across the first and second output messages
    const script =
      "printf '%1015s' ''\nprintf 'AKIAIOSFODNN7EXAMPLE and db_password=hunter2-hunter2\\n'\nprintf '%1000s' ''\nprintf 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789\\n'\n";
    const nonce = newNonce();

    // Act
    const { key, result } = await capture({ command: buildExecCommand(script, nonce) }, { nonce });
    const stored = await result;

    // Assert
    const text = (await getObject(key)).body.toString('utf8');
    expect(text).toContain('[REDACTED:aws-access-key-id] and db_password=[REDACTED:password-pair]\n');
    expect(text).toContain('Authorization: Bearer [REDACTED:bearer-token]\n');
    expect(text).not.toMatch(/AKIAIOSFODNN7EXAMPLE|hunter2|abcdefghijklmnop/);
    expect(stored.redactions).toBe(3);
    expect((await getObject(key)).metadata.redactions).toBe('3');
  });

  it('at the deadline terminates the session and stores what was captured, marked truncated', async () => {
    // Arrange
    const script = 'echo started\nsleep 30\necho never\n';
    const nonce = newNonce();

    // Act
    const { key, result, sessionId } = await capture(
      { command: buildExecCommand(script, nonce) },
      { nonce, deadline: Date.now() + 2500 },
    );
    const stored = await result;

    // Assert
    const object = await getObject(key);
    expect(object.body.toString('utf8')).toBe(`started\n${truncationNote('deadline', 8)}`);
    expect(stored).toMatchObject({ truncated: true, truncationReason: 'deadline', exitCode: null });
    expect(object.metadata).toMatchObject({
      truncated: 'true',
      'truncation-reason': 'deadline',
      'exit-code': 'none',
    });
    expect((await agent.waitForSession(sessionId)).state).toBe('terminated');
  });

  it('streams a multipart upload with bounded parts and applies the final metadata', async () => {
    // Arrange
    const size = 2 * PART_SIZE + 123_457;
    const expected = withoutCrlf(await buffer(generatedOutput(size)));

    // Act
    const { key, result, sessionId } = await capture(
      { generatedOutputBytes: size },
      { outputCapBytes: 64 * 1024 * 1024 },
    );
    const stored = await result;

    // Assert
    const object = await getObject(key);
    const report = await agent.waitForSession(sessionId);
    expect(report.outputBytes).toBe(size);
    expect(stored).toMatchObject({
      multipart: true,
      truncated: false,
      bytes: expected.length,
      redactions: 0,
      newlines: 'crlf-undone',
    });
    expect(createHash('sha256').update(object.body).digest('hex')).toBe(
      createHash('sha256').update(expected).digest('hex'),
    );
    expect(object.metadata).toMatchObject({
      bytes: String(expected.length),
      truncated: 'false',
      script: 'test',
      'exit-code': 'none',
    });
  });

  it('aborts the multipart upload when a part fails: no object, no upload left, the session stopped', async () => {
    // Arrange
    const failingS3 = new S3Client({
      region: REGION,
      endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      forcePathStyle: true,
    });
    proxyLog = [];

    // Act
    const { key, result, sessionId } = await capture(
      { generatedOutputBytes: 3 * PART_SIZE },
      { s3: failingS3, outputCapBytes: 64 * 1024 * 1024 },
    );

    // Assert
    await expect(result).rejects.toThrow();
    expect(proxyLog.some((entry) => entry.method === 'PUT' && entry.status === 500)).toBe(true);
    expect(
      proxyLog.some(
        (entry) => entry.method === 'DELETE' && /[?&]uploadId=/.test(entry.url) && entry.status < 300,
      ),
    ).toBe(true);
    expect(await objectExists(key)).toBe(false);
    // (The local S3 does not implement ListMultipartUploads: the answered DELETE above is the abort's proof.)
    expect(['terminated', 'closed']).toContain((await agent.waitForSession(sessionId)).state);
    failingS3.destroy();
  });

  it('fails with SessionInterruptedError when the connection drops, leaving no object', async () => {
    const { key, result } = await capture({
      generatedOutputBytes: 200_000,
      faults: { dropConnectionAfterMessages: 20 },
    });

    await expect(result).rejects.toMatchObject({ name: 'SessionInterruptedError' });
    expect(await objectExists(key)).toBe(false);
  });

  it('keeps the complete output when the connection drops after the exit marker, with the drop recorded', async () => {
    // Arrange: one write holds the output and the marker (one data-channel message); the session then stays
    // open, and the agent drops the socket right after that message, before channel_closed.
    const nonce = 'f'.repeat(32);
    const script = `printf 'all of it\\n${MARKER_PREFIX}${nonce}=0\\n'; sleep 5`;
    const command = ['/bin/sh', '-c', script].map(quoteWord).join(' ');

    // Act
    const { key, result } = await capture({ command, faults: { dropConnectionAfterMessages: 1 } }, { nonce });
    const stored = await result;

    // Assert
    expect((await getObject(key)).body.toString('utf8')).toBe('all of it\n');
    expect(stored).toMatchObject({
      exitCode: 0,
      truncated: false,
      interrupted: { name: 'SessionInterruptedError' },
    });
    expect(stored.summary).toBeUndefined();
  });

  it('marks a session that closes normally before the exit marker as partial (no-exit-status)', async () => {
    // Arrange: the script kills the wrapper shell (as an OOM kill would): the session ends, no marker is printed
    const script = 'echo before\nkill -KILL $PPID\nsleep 1\necho never\n';
    const nonce = newNonce();

    // Act
    const { key, result } = await capture({ command: buildExecCommand(script, nonce) }, { nonce });
    const stored = await result;

    // Assert
    expect((await getObject(key)).body.toString('utf8')).toBe('before\n');
    expect(stored).toMatchObject({ exitCode: null, truncated: false });
    expect(captureOutcome({ exitCode: stored.exitCode })).toEqual({
      status: 'partial',
      partialReasons: ['no-exit-status'],
    });
  });

  it('still fails, leaving no object, when the connection drops before the exit marker', async () => {
    const nonce = 'f'.repeat(32);
    const script = `printf 'part of it\\n'; sleep 1; printf '${MARKER_PREFIX}${nonce}=0\\n'`;
    const command = ['/bin/sh', '-c', script].map(quoteWord).join(' ');

    const { key, result } = await capture({ command, faults: { dropConnectionAfterMessages: 1 } }, { nonce });

    await expect(result).rejects.toMatchObject({ name: 'SessionInterruptedError' });
    expect(await objectExists(key)).toBe(false);
  });

  it('tells a container without /bin/sh apart, leaving no object', async () => {
    // Arrange: what the agent prints when the container has no /bin/sh
    const message =
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown';

    // Act
    const { key, result } = await capture(
      { command: `printf '%s\\n' '${message}'` },
      { check: missingShellCheck('distroless-app') },
    );

    // Assert
    await expect(result).rejects.toMatchObject({
      name: 'ContainerShellNotFoundError',
      message: expect.stringContaining('"distroless-app" has no /bin/sh'),
    });
    expect(await objectExists(key)).toBe(false);
  });
});
