import { Writable } from 'node:stream';
import { boundForLog, MAX_LOG_STRING, safeJson } from '#lib/untrusted-text.ts';

describe('untrusted text in logs and manifests', () => {
  it('writes bidi controls and NUL in a manifest as \\u escapes, and the value parses back unchanged', () => {
    const alarmName = 'cpu-high\u202egnp.exe\u0000\u2066x\u2069';

    const text = safeJson({ alarmName }, 2);

    for (const character of ['\u0000', '\u202e', '\u2066', '\u2069']) expect(text).not.toContain(character);
    expect(text).toContain('\\u202e');
    expect(text).toContain('\\u0000');
    expect(JSON.parse(text)).toEqual({ alarmName });
  });

  it('bounds every string of a log attribute and escapes invisible characters', () => {
    const bounded = boundForLog({
      reason: `alarm state is ${'A'.repeat(100_000)}`,
      nested: { list: Array.from({ length: 200 }, (_, i) => `item-${i}\u202e`) },
    }) as { reason: string; nested: { list: string[] } };

    expect(bounded.reason.length).toBeLessThan(MAX_LOG_STRING + 40);
    expect(bounded.reason).toContain('more characters]');
    expect(bounded.nested.list).toHaveLength(51);
    expect(bounded.nested.list[0]).toBe('item-0\\u202e');
  });

  it('keeps a 100 KB SNS NewStateValue out of the log line (the function logger)', async () => {
    const lines: string[] = [];
    const { Console } = await import('node:console');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const { logger } = await import('#lib/logger.ts');
    (logger as unknown as { console: Console }).console = new Console({ stdout: sink, stderr: sink });

    logger.setLogLevel('INFO');
    try {
      logger.info(`alarm state is ${'B'.repeat(100_000)}`, { state: 'C'.repeat(100_000) });
    } finally {
      logger.setLogLevel('SILENT');
    }

    expect(lines).toHaveLength(1);
    expect(lines[0]?.length).toBeLessThan(4 * MAX_LOG_STRING);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'INFO',
      state: expect.stringMatching(/^C+…\[/),
    });
  });
});
