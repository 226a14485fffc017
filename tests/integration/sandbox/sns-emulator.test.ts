import { InvalidParameterException, NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type SnsEmulator, startSnsEmulator } from '#local/sns-emulator/index.ts';

const TOPIC = 'arn:aws:sns:us-east-1:493817260514:ecs-diagnostics-notifications';

describe('sns-emulator', () => {
  let emulator: SnsEmulator;
  let sns: SNSClient;

  beforeAll(async () => {
    emulator = await startSnsEmulator({ topics: [TOPIC] });
    sns = new SNSClient({ endpoint: emulator.endpoint, region: 'us-east-1', maxAttempts: 1 });
  });

  afterAll(async () => {
    sns.destroy();
    await emulator.close();
  });

  it('records a published message and answers its MessageId', async () => {
    const answer = await sns.send(
      new PublishCommand({ TopicArn: TOPIC, Subject: 'run', Message: '{"a":1}' }),
    );

    expect(emulator.messages.at(-1)).toMatchObject({
      messageId: answer.MessageId,
      topicArn: TOPIC,
      subject: 'run',
      message: '{"a":1}',
    });
  });

  it('answers an unknown topic with NotFound (HTTP 404) as SNS does', async () => {
    const error = await sns
      .send(new PublishCommand({ TopicArn: `${TOPIC}-gone`, Message: 'x' }))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NotFoundException);
    expect((error as NotFoundException).$metadata.httpStatusCode).toBe(404);
  });

  it('refuses a message over 256 KB with InvalidParameter', async () => {
    const error = await sns
      .send(new PublishCommand({ TopicArn: TOPIC, Message: 'x'.repeat(256 * 1024 + 1) }))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as Error).message).toBe('Invalid parameter: Message too long');
  });
});
