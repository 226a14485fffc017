import { describe, expect, it } from '@jest/globals';
import { redactBuffer } from '#lib/capture/redact.ts';

/** An STS session token: its size is not fixed (AWS says to assume no maximum); 1–3 KiB are common. */
const SESSION_TOKEN = `IQoJb3JpZ2luX2VjE${'Ab9/+Zq'.repeat(300)}==`;

describe('capture/redact long secret values', () => {
  it.each([
    [
      'an env-style pair',
      `AWS_SESSION_TOKEN=${SESSION_TOKEN}\n`,
      'AWS_SESSION_TOKEN=[REDACTED:password-pair]\n',
    ],
    ['a JSON pair', `{"SessionToken": "${SESSION_TOKEN}"}`, '{"SessionToken": [REDACTED:password-pair]}'],
    [
      'a flag',
      `aws --session-token ${SESSION_TOKEN} s3 ls`,
      'aws --session-token [REDACTED:password-flag] s3 ls',
    ],
  ])('redacts a 2 KiB session token in %s whole, leaving no tail', (_kind, input, expected) => {
    const result = redactBuffer(Buffer.from(input));

    expect(result.data.toString()).toBe(expected);
    expect(result.count).toBe(1);
  });
});
