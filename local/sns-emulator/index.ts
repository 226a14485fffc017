/**
 * The SNS emulator: Publish over the AWS Query protocol (form-encoded POST, XML answer), as
 * @aws-sdk/client-sns speaks it, to the topics it knows; every accepted message is recorded, in order.
 * Binds 127.0.0.1 only.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One published message. */
export interface RecordedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  time: string;
}

export interface SnsEmulator {
  endpoint: string;
  messages: RecordedMessage[];
  /** The topics that exist (tests remove one to make Publish fail). */
  topics: Set<string>;
  close(): Promise<void>;
}

/** SNS's limit on a message. */
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_BODY_BYTES = 1024 * 1024;

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the emulator with the topics that exist. */
export async function startSnsEmulator(options: { topics: string[]; port?: number }): Promise<SnsEmulator> {
  const topics = new Set(options.topics);
  const messages: RecordedMessage[] = [];

  function send(res: ServerResponse, status: number, xml: string): void {
    res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml) });
    res.end(xml);
  }

  function publish(form: URLSearchParams): { status: number; xml: string } {
    const topicArn = form.get('TopicArn') ?? '';
    const message = form.get('Message');
    if (!topics.has(topicArn)) return { status: 404, xml: errorXml('NotFound', 'Topic does not exist') };
    if (message === null || message === '') {
      return { status: 400, xml: errorXml('InvalidParameter', 'Invalid parameter: Empty message') };
    }
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
      return { status: 400, xml: errorXml('InvalidParameter', 'Invalid parameter: Message too long') };
    }
    const messageId = randomUUID();
    const subject = form.get('Subject');
    messages.push({
      messageId,
      topicArn,
      ...(subject === null ? {} : { subject }),
      message,
      time: new Date().toISOString(),
    });
    return {
      status: 200,
      xml: `<PublishResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  }

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST') return send(res, 405, errorXml('InvalidAction', 'POST only'));
      const form = new URLSearchParams(await readBody(req));
      const action = form.get('Action');
      if (action !== 'Publish') {
        return send(res, 400, errorXml('InvalidAction', `${action ?? '(none)'} is not emulated locally`));
      }
      const answer = publish(form);
      send(res, answer.status, answer.xml);
    })().catch((error: unknown) => send(res, 500, errorXml('InternalError', String(error))));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    messages,
    topics,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
