import { describe, expect, it } from '@jest/globals';
import { redactBuffer } from '#lib/capture/redact.ts';

describe('capture/redact secrets passed as command-line flags', () => {
  it.each([
    [
      'mysqld --user app --password hunter2hunter2 --port 3306',
      'mysqld --user app --password [REDACTED:password-flag] --port 3306',
    ],
    ['app -token abcdef123456 -v', 'app -token [REDACTED:password-flag] -v'],
    ['cli --api-key "k3y with spaces" run', 'cli --api-key [REDACTED:password-flag] run'],
    ['agent --client-secret\tS3cr3tValue', 'agent --client-secret\t[REDACTED:password-flag]'],
  ])('redacts the value after a secret-named flag: %s', (line, expected) => {
    // Act: the basic script prints every process's full command line
    const result = redactBuffer(Buffer.from(`1 0 S 1000 4 ${line}\n`));

    // Assert
    expect(result.data.toString()).toBe(`1 0 S 1000 4 ${expected}\n`);
    expect(result.count).toBe(1);
  });

  it.each([
    'the password reset page',
    'java -jar app.jar --token-file /run/secrets/token --verbose',
    'app --password --next-flag',
  ])('leaves ordinary text and flag-like words without a value alone: %s', (line) => {
    const result = redactBuffer(Buffer.from(line));

    expect(result).toEqual({ data: Buffer.from(line), count: 0 });
  });
});
