/**
 * The Session Manager agent emulator: one loopback server that plays the service + SSM agent side of the
 * data channel (websocket at /v1/data-channel/<sessionId>) and answers the SSM/KMS JSON APIs on the same port.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { InvalidRequestError } from '#lib/errors.ts';
import { handleJsonApi } from './json-api.ts';
import { LocalKms } from './kms.ts';
import { AgentSession, toBuffer } from './session.ts';
import { shellSplit } from './shlex.ts';
import type { AgentEmulator, SessionCredentials, SessionReport, SessionSpec } from './types.ts';

export type { AgentEmulator, AgentFaults, SessionCredentials, SessionReport, SessionSpec } from './types.ts';

const PATH_PREFIX = '/v1/data-channel/';
const OPEN_TIMEOUT_MS = 10_000;
/** Close code and reason the service uses for a rejected OpenDataChannelInput. */
const CLOSE_UNSUPPORTED = 1003;

/** Starts the emulator on 127.0.0.1 (port 0 = an ephemeral port). */
export async function startAgentEmulator(
  options: { port?: number; region?: string } = {},
): Promise<AgentEmulator> {
  const sessions = new Map<string, AgentSession>();
  const globalViolations: string[] = [];
  const kms = new LocalKms(options.region ?? process.env.AWS_REGION ?? 'eu-west-1');
  const sockets = new Set<WebSocket>();

  const server = createServer((request, response) => {
    void handleJsonApi(request, response, {
      kms,
      terminateSession(sessionId) {
        const session = sessions.get(sessionId);
        if (!session) return 'unknown';
        if (session.state !== 'waiting' && session.state !== 'running') return 'ended';
        session.terminate();
        return 'terminated';
      },
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith(PATH_PREFIX)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const sessionId = decodeURIComponent(path.slice(PATH_PREFIX.length));
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.once('close', () => sockets.delete(ws));
      acceptDataChannel(ws, sessions.get(sessionId), sessionId, globalViolations);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `ws://127.0.0.1:${port}`;

  const lookup = (sessionId: string): AgentSession => {
    const session = sessions.get(sessionId);
    if (!session)
      throw new InvalidRequestError('sessionId', `no session ${JSON.stringify(sessionId)} was created`);
    return session;
  };

  return {
    url,
    httpEndpoint: `http://127.0.0.1:${port}`,
    createSession(spec: SessionSpec): SessionCredentials {
      validateSpec(spec);
      const sessionId = `ecs-execute-command-${randomUUID().replaceAll('-', '').slice(0, 17)}`;
      const session = new AgentSession(sessionId, spec, kms);
      sessions.set(sessionId, session);
      return {
        sessionId,
        streamUrl: `${url}${PATH_PREFIX}${sessionId}?role=publish_subscribe&cell-number=emulator`,
        tokenValue: session.tokenValue,
      };
    },
    async waitForSession(sessionId: string): Promise<SessionReport> {
      const session = lookup(sessionId);
      await session.done;
      return session.report();
    },
    report(sessionId: string): SessionReport {
      return lookup(sessionId).report();
    },
    violations(): string[] {
      const all = [...globalViolations];
      for (const session of sessions.values()) {
        for (const violation of session.violations) all.push(`${session.sessionId}: ${violation}`);
      }
      return all;
    },
    async close(): Promise<void> {
      for (const session of sessions.values()) session.shutdown();
      for (const ws of sockets) ws.terminate();
      await Promise.all([...sessions.values()].map((session) => session.done));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The first frame must be the TEXT OpenDataChannelInput carrying the session's token. */
function acceptDataChannel(
  ws: WebSocket,
  session: AgentSession | undefined,
  sessionId: string,
  globalViolations: string[],
): void {
  const reject = (reason: string): void => ws.close(CLOSE_UNSUPPORTED, reason);
  const timer = setTimeout(() => reject('request to open data channel timed out'), OPEN_TIMEOUT_MS);
  ws.once('close', () => clearTimeout(timer));
  ws.once('message', (data, isBinary) => {
    clearTimeout(timer);
    const text = toBuffer(data).toString('utf8');
    const problems: string[] = [];
    if (isBinary) problems.push('the OpenDataChannelInput came as a BINARY frame; it must be TEXT');
    let input: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        input = parsed as Record<string, unknown>;
    } catch {
      problems.push('the OpenDataChannelInput is not JSON');
    }
    const token = input.TokenValue;
    if (typeof token !== 'string' || token === '') {
      globalViolations.push(
        `${sessionId}: ${[...problems, 'OpenDataChannelInput has no TokenValue'].join('; ')}`,
      );
      reject('request to open data channel does not contain token');
      return;
    }
    if (!session || token !== session.tokenValue) {
      reject('invalid token for this data channel');
      return;
    }
    if (session.state !== 'waiting') {
      reject('the data channel of this session is already open or ended');
      return;
    }
    if (input.MessageSchemaVersion !== '1.0') problems.push('MessageSchemaVersion is not "1.0"');
    if (typeof input.RequestId !== 'string' || input.RequestId.length < 16) {
      problems.push('RequestId is missing or shorter than 16 characters');
    }
    if (typeof input.ClientId !== 'string' || input.ClientId === '') problems.push('ClientId is missing');
    session.attach(ws, typeof input.ClientId === 'string' ? input.ClientId : '');
    for (const problem of problems) session.recordViolation(problem);
  });
}

function validateSpec(spec: SessionSpec): void {
  const hasCommand = spec.command !== undefined;
  const hasGenerated = spec.generatedOutputBytes !== undefined;
  if (hasCommand === hasGenerated) {
    throw new InvalidRequestError('command', 'give exactly one of command or generatedOutputBytes');
  }
  if (hasCommand) {
    if (shellSplit(spec.command ?? '').length === 0) {
      throw new InvalidRequestError('command', 'is empty; give the program to run');
    }
  } else {
    const n = spec.generatedOutputBytes ?? -1;
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new InvalidRequestError('generatedOutputBytes', `must be a non-negative integer, got ${n}`);
    }
  }
  if (spec.kms) {
    if (typeof spec.kms.keyId !== 'string' || spec.kms.keyId === '') {
      throw new InvalidRequestError('kms.keyId', 'is required when kms is set');
    }
    if (!spec.targetId) {
      throw new InvalidRequestError(
        'targetId',
        'is required with kms: it is the EncryptionContext aws:ssm:TargetId',
      );
    }
  }
  const faults = spec.faults ?? {};
  for (const field of ['duplicateRate', 'dropFirstCopyRate'] as const) {
    const rate = faults[field];
    if (rate !== undefined && !(rate >= 0 && rate < 1)) {
      throw new InvalidRequestError(`faults.${field}`, `must be at least 0 and below 1, got ${rate}`);
    }
  }
  for (const field of [
    'reorderWindow',
    'dropConnectionAfterMessages',
    'startDelayMs',
    'ackDelayMs',
    'seed',
  ] as const) {
    const value = faults[field];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new InvalidRequestError(`faults.${field}`, `must be a non-negative integer, got ${value}`);
    }
  }
}
