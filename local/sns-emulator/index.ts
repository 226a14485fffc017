/**
 * The SNS emulator: Publish over the AWS Query protocol (form-encoded POST, XML answer, through the shared
 * awsQuery server), as @aws-sdk/client-sns speaks it, to the topics it knows; every accepted message is
 * recorded, in order. Binds 127.0.0.1 only.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError, type QueryParams, startAwsQueryServer } from '../aws-query-server.ts';

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

/** Starts the emulator with the topics that exist. */
export async function startSnsEmulator(options: { topics: string[]; port?: number }): Promise<SnsEmulator> {
  const topics = new Set(options.topics);
  const messages: RecordedMessage[] = [];

  function Publish(params: QueryParams) {
    const topicArn = params.get('TopicArn') ?? '';
    const message = params.get('Message');
    if (!topics.has(topicArn)) throw new AwsServiceError('NotFound', 'Topic does not exist', 404);
    if (message === undefined || message === '') {
      throw new AwsServiceError('InvalidParameter', 'Invalid parameter: Empty message');
    }
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
      throw new AwsServiceError('InvalidParameter', 'Invalid parameter: Message too long');
    }
    const messageId = randomUUID();
    const subject = params.get('Subject');
    messages.push({
      messageId,
      topicArn,
      ...(subject === undefined ? {} : { subject }),
      message,
      time: new Date().toISOString(),
    });
    return { MessageId: messageId };
  }

  const server = await startAwsQueryServer({
    protocol: 'awsQuery',
    namespace: 'https://sns.amazonaws.com/doc/2010-03-31/',
    operations: { Publish },
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  return { endpoint: server.endpoint, messages, topics, close: () => server.close() };
}
