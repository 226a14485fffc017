/** The options and results of a capture, and the check that rejects unusable options before anything connects. */

import type { Readable } from 'node:stream';
import type { KMSClient, KMSClientConfig } from '@aws-sdk/client-kms';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { InvalidRequestError } from '../errors.ts';
import type { Clock } from './clock.ts';

/** An AWS client, or a function that makes (or returns) it when a capture first needs it. */
export type ClientOnDemand<Client extends object> = Client | (() => Promise<Client>);

/** The client `given` stands for, made by `otherwise` when nothing was given. */
export function clientOnDemand<Client extends object>(
  given: ClientOnDemand<Client> | undefined,
  otherwise: () => Promise<Client>,
): Promise<Client> {
  if (given === undefined) return otherwise();
  return typeof given === 'function' ? (given as () => Promise<Client>)() : Promise.resolve(given);
}

/** What ECS ExecuteCommand returns as `session`. */
export interface SessionCredentials {
  sessionId: string;
  streamUrl: string;
  tokenValue: string;
}

/** Options of one capture. */
export interface CaptureOptions {
  session: SessionCredentials;
  /** 'ecs:<clusterName>_<taskId>_<runtimeId>', the KMS encryption context TargetId. */
  targetId?: string;
  /**
   * Needed only when the agent asks for KMSEncryption: a client, or a function that makes one then. Absent: a
   * client made from `awsClientConfig`, its module loaded only then (a plain session never loads the KMS client).
   */
  kms?: ClientOnDemand<KMSClient>;
  /**
   * TerminateSession on deadline/abort/failure: a client, or a function that makes one then. Absent: a client made
   * from `awsClientConfig` when first needed.
   */
  ssm?: ClientOnDemand<SSMClient>;
  /** Region and credentials of the default KMS and SSM clients (default: the SDK's own chain). */
  awsClientConfig?: Pick<KMSClientConfig, 'region' | 'credentials' | 'profile'>;
  /** Epoch ms; at it: send Ctrl-C (0x03), TerminateSession, close, report truncated. */
  deadline?: number;
  /** Same as the deadline, reason 'aborted'. */
  signal?: AbortSignal;
  /** Websocket pings on quiet sessions, default 30000. */
  pingIntervalMs?: number;
  /**
   * A ping that gets neither a pong nor any other frame within this time fails the capture as a dead connection
   * (SessionInterruptedError); default 2 × pingIntervalMs. Never counts while reading is paused for backpressure.
   */
  livenessTimeoutMs?: number;
  /** Size message, sent only after the first output. */
  terminalSize?: { cols: number; rows: number };
  /** Messages that may be held back waiting for a gap to fill (default 10000, as the plugin). */
  reorderCapacity?: number;
  /** Bytes that may be held back waiting for a gap to fill (default 64 MiB); beyond it the capture fails. */
  reorderBytes?: number;
  /**
   * The KMS keys the agent may name for the session's encryption: the cluster's configured ExecuteCommand key
   * (key id, key ARN, alias name or alias ARN). An agent naming any other key is refused before KMS is called; an
   * empty list refuses KMS encryption altogether. Absent: not checked (the caller cannot know the cluster's key).
   */
  kmsKeyIds?: readonly string[];
  /** The time source of timers and timeouts (default: real time); tests pass a clock they control. */
  clock?: Clock;
}

/** How a capture went. */
export interface CaptureSummary {
  truncated: boolean;
  truncatedReason?: 'deadline' | 'aborted';
  bytes: number;
  messages: number;
  duplicates: number;
  outOfOrder: number;
  resends: number;
  encrypted: boolean;
  /** Set when a truncation's TerminateSession call failed (the capture is still reported truncated). */
  terminateError?: string;
}

/** A running capture. */
export interface SessionCapture {
  /** Raw output bytes in sequence order, with backpressure; ends after a normal close or a truncation. */
  output: Readable;
  /**
   * Rejects with SessionInterruptedError (the socket dropped, or went silent past livenessTimeoutMs) |
   * SessionClosedError | ProtocolError | a KMS error; except after a SessionClosedError (the service ended the
   * session), TerminateSession is attempted first.
   */
  done: Promise<CaptureSummary>;
}

/** The longest a Node timer can wait (about 24.8 days); it fires at once beyond it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Throws an InvalidRequestError naming the first option that cannot work (before anything connects). */
export function validateOptions(options: CaptureOptions): void {
  const { session } = options;
  for (const field of ['sessionId', 'tokenValue', 'streamUrl'] as const) {
    if (typeof session[field] !== 'string' || session[field] === '') {
      throw new InvalidRequestError(`session.${field}`, 'is missing; pass what ECS ExecuteCommand returned');
    }
  }
  if (!URL.canParse(session.streamUrl) || !/^wss?:$/.test(new URL(session.streamUrl).protocol)) {
    throw new InvalidRequestError('session.streamUrl', 'is not a wss:// (or ws://) URL');
  }
  const positiveInteger = (field: string, value: number | undefined, max = Number.MAX_SAFE_INTEGER) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= max)) {
      throw new InvalidRequestError(field, `${value} is not a whole number from 1 to ${max}`);
    }
  };
  positiveInteger('pingIntervalMs', options.pingIntervalMs, MAX_TIMER_MS);
  positiveInteger('livenessTimeoutMs', options.livenessTimeoutMs, MAX_TIMER_MS);
  positiveInteger('reorderCapacity', options.reorderCapacity);
  positiveInteger('reorderBytes', options.reorderBytes);
  if (
    options.kmsKeyIds !== undefined &&
    !options.kmsKeyIds.every((id) => typeof id === 'string' && id !== '')
  ) {
    throw new InvalidRequestError('kmsKeyIds', 'must list non-empty KMS key ids, ARNs or aliases');
  }
  // The agent casts the size to uint16.
  positiveInteger('terminalSize.cols', options.terminalSize?.cols, 0xffff);
  positiveInteger('terminalSize.rows', options.terminalSize?.rows, 0xffff);
  const { clock } = options;
  if (
    clock !== undefined &&
    !(['now', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] as const).every(
      (method) => typeof clock[method] === 'function',
    )
  ) {
    throw new InvalidRequestError(
      'clock',
      'must have now, setTimeout, clearTimeout, setInterval and clearInterval',
    );
  }
  if (options.deadline !== undefined && !Number.isFinite(options.deadline)) {
    throw new InvalidRequestError('deadline', `${options.deadline} is not an epoch time in milliseconds`);
  }
}
