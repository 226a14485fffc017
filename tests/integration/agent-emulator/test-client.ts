/**
 * A minimal data-channel client for the emulator's tests, written from the spec with ws + the codec only
 * (no dependency on functions/lib/ssm-session's client). Its switches make it misbehave on purpose.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import WebSocket from 'ws';
import { decodeAcknowledge, encodeAcknowledge } from '#lib/ssm-session/acknowledge.ts';
import {
  type ClientMessage,
  decodeMessage,
  encodeMessage,
  Flags,
  MessageType,
  PayloadType,
} from '#lib/ssm-session/codec.ts';
import type { SessionCredentials } from '#local/agent-emulator/index.ts';

export interface TestClientOptions {
  /** Whether to ack this arrival of an output message (default: every one). */
  shouldAck?: (message: ClientMessage, arrival: number) => boolean;
  /** Do the KMS side of the handshake against this endpoint. */
  kms?: { endpoint: string; targetId: string; contextOverride?: Record<string, string>; decline?: boolean };
  /** The OpenDataChannelInput text to send instead of the correct one. */
  openText?: string;
  /** Ack start/pause_publication too (a violation). */
  ackPublication?: boolean;
}

export interface Arrival {
  messageType: string;
  seq: number;
  flags: bigint;
  payloadType: number;
  /** The payload as it came over the wire (encrypted when KMS is on). */
  wirePayload: Buffer;
}

export interface ClientResult {
  code: number;
  reason: string;
  channelClosed?: { Output?: string; SessionId?: string; MessageType?: string };
}

/** A connected test client. */
export interface TestClient {
  arrivals: Arrival[];
  /** Plain output bytes by sequence number (PayloadType 1 only). */
  output: Map<number, Buffer>;
  /** The plain output bytes joined in sequence order. */
  delivered(): Buffer;
  /** Sends one input_stream_data with the next input sequence number; resolves when it is acked. */
  sendInput(payloadType: number, payload: Buffer): Promise<void>;
  /** Sends raw bytes as a frame (for misbehaviour tests). */
  sendRaw(data: Buffer | string, binary?: boolean): void;
  ws: WebSocket;
  /** When the first PayloadType 1 output arrived. */
  firstOutput: Promise<void>;
  finished: Promise<ClientResult>;
}

function gcmSeal(key: Buffer, plaintext: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

function gcmOpen(key: Buffer, box: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, box.subarray(0, 12));
  decipher.setAuthTag(box.subarray(box.length - 16));
  return Buffer.concat([decipher.update(box.subarray(12, box.length - 16)), decipher.final()]);
}

/** Opens the data channel and plays the client side until channel_closed or the socket closes. */
export async function connectTestClient(
  session: SessionCredentials,
  options: TestClientOptions = {},
): Promise<TestClient> {
  const ws = new WebSocket(session.streamUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const arrivals: Arrival[] = [];
  const output = new Map<number, Buffer>();
  const arrivalCount = new Map<number, number>();
  const processed = new Set<number>();
  const pendingInput = new Map<number, { frame: Buffer; resolve: () => void; timer: NodeJS.Timeout }>();
  let inputSeq = 0;
  let keys: { decrypt: Buffer; encrypt: Buffer } | undefined;
  let encrypted = false;
  let channelClosed: ClientResult['channelClosed'];
  let resolveFirst: () => void = () => {};
  const firstOutput = new Promise<void>((resolve) => {
    resolveFirst = resolve;
  });

  const send = (frame: Buffer): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(frame);
  };
  const sendInput = (payloadType: number, payload: Buffer): Promise<void> => {
    const seq = inputSeq;
    inputSeq += 1;
    const frame = encodeMessage({
      messageType: MessageType.InputStreamData,
      sequenceNumber: BigInt(seq),
      flags: Flags.None,
      payloadType,
      payload:
        payloadType === PayloadType.Output && encrypted && keys ? gcmSeal(keys.encrypt, payload) : payload,
    });
    return new Promise<void>((resolve) => {
      const timer = setInterval(() => send(frame), 200);
      pendingInput.set(seq, { frame, resolve, timer });
      send(frame);
    });
  };

  const onHandshake = async (message: ClientMessage): Promise<void> => {
    const body = JSON.parse(message.payload.toString('utf8')) as Record<string, unknown>;
    if (message.payloadType === PayloadType.HandshakeRequest) {
      const actions = body.RequestedClientActions as {
        ActionType: string;
        ActionParameters: Record<string, string>;
      }[];
      const kmsAction = actions.find((action) => action.ActionType === 'KMSEncryption');
      const kmsOptions = options.kms;
      if (!kmsAction || !kmsOptions) throw new Error('handshake without KMS options');
      const client = new KMSClient({ endpoint: kmsOptions.endpoint });
      const dataKey = await client.send(
        new GenerateDataKeyCommand({
          KeyId: kmsAction.ActionParameters.KMSKeyId,
          NumberOfBytes: 64,
          EncryptionContext: kmsOptions.contextOverride ?? {
            'aws:ssm:SessionId': session.sessionId,
            'aws:ssm:TargetId': kmsOptions.targetId,
          },
        }),
      );
      client.destroy();
      const plaintext = Buffer.from(dataKey.Plaintext ?? new Uint8Array());
      keys = { decrypt: plaintext.subarray(0, 32), encrypt: plaintext.subarray(32, 64) };
      const response = {
        ClientVersion: 'test-client',
        ProcessedClientActions: [
          { ActionType: 'SessionType', ActionStatus: 1, ActionResult: null, Error: '' },
          kmsOptions.decline
            ? {
                ActionType: 'KMSEncryption',
                ActionStatus: 2,
                ActionResult: null,
                Error: 'declined by the test',
              }
            : {
                ActionType: 'KMSEncryption',
                ActionStatus: 1,
                ActionResult: {
                  KMSCipherTextKey: Buffer.from(dataKey.CiphertextBlob ?? new Uint8Array()).toString(
                    'base64',
                  ),
                  KMSCipherTextHash: null,
                },
                Error: '',
              },
        ],
        Errors: null,
      };
      await sendInput(PayloadType.HandshakeResponse, Buffer.from(JSON.stringify(response)));
    } else if (message.payloadType === PayloadType.EncChallengeRequest && keys) {
      const secret = gcmOpen(keys.decrypt, Buffer.from(String(body.Challenge), 'base64'));
      const answer = { Challenge: gcmSeal(keys.encrypt, secret).toString('base64') };
      await sendInput(PayloadType.EncChallengeResponse, Buffer.from(JSON.stringify(answer)));
    } else if (message.payloadType === PayloadType.HandshakeComplete) {
      encrypted = true;
    }
  };

  ws.on('message', (data: Buffer) => {
    const message = decodeMessage(data);
    const seq = Number(message.sequenceNumber);
    arrivals.push({
      messageType: message.messageType,
      seq,
      flags: message.flags,
      payloadType: message.payloadType,
      wirePayload: message.payload,
    });
    switch (message.messageType) {
      case MessageType.Acknowledge: {
        const acked = decodeAcknowledge(message).AcknowledgedMessageSequenceNumber;
        const pending = pendingInput.get(acked);
        if (pending) {
          clearInterval(pending.timer);
          pendingInput.delete(acked);
          pending.resolve();
        }
        return;
      }
      case MessageType.ChannelClosed:
        channelClosed = JSON.parse(message.payload.toString('utf8')) as ClientResult['channelClosed'];
        ws.close(1000);
        return;
      case MessageType.StartPublication:
      case MessageType.PausePublication:
        if (options.ackPublication) send(encodeAcknowledge(message));
        return;
      case MessageType.OutputStreamData: {
        const arrival = (arrivalCount.get(seq) ?? 0) + 1;
        arrivalCount.set(seq, arrival);
        if (options.shouldAck && !options.shouldAck(message, arrival)) return;
        send(encodeAcknowledge(message));
        if (processed.has(seq)) return;
        processed.add(seq);
        if (message.payloadType === PayloadType.Output) {
          output.set(seq, encrypted && keys ? gcmOpen(keys.decrypt, message.payload) : message.payload);
          resolveFirst();
        } else {
          void onHandshake(message);
        }
        return;
      }
      default:
        throw new Error(`unexpected message type ${message.messageType}`);
    }
  });

  const finished = new Promise<ClientResult>((resolve) => {
    ws.once('close', (code, reason) => {
      for (const pending of pendingInput.values()) clearInterval(pending.timer);
      const result: ClientResult = { code, reason: reason.toString() };
      if (channelClosed) result.channelClosed = channelClosed;
      resolve(result);
    });
  });

  ws.send(
    options.openText ??
      JSON.stringify({
        MessageSchemaVersion: '1.0',
        RequestId: randomUUID(),
        TokenValue: session.tokenValue,
        ClientId: randomUUID(),
        ClientVersion: 'test-client',
      }),
  );

  return {
    arrivals,
    output,
    delivered() {
      const parts: Buffer[] = [];
      const seqs = [...output.keys()].sort((a, b) => a - b);
      for (const seq of seqs) parts.push(output.get(seq) as Buffer);
      return Buffer.concat(parts);
    },
    sendInput,
    sendRaw(data, binary = true) {
      ws.send(data, { binary });
    },
    ws,
    firstOutput,
    finished,
  };
}
