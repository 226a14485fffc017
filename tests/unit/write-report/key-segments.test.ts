import { keySegment, manifestKey, runPrefix } from '#lib/s3-keys.ts';

const day = new Date('2026-11-26T04:00:00.000Z');

describe('s3-keys: one segment per name', () => {
  it('never gives a plain name the segment of a different, hashed name', () => {
    const unicode = 'ünïcødé-run';
    const hashed = keySegment(unicode);
    expect(hashed).not.toBe(unicode);

    // A second execution, named exactly like the first one's hashed segment, must not share its folder.
    expect(keySegment(hashed)).not.toBe(hashed);
    expect(manifestKey(runPrefix(day, hashed))).not.toBe(manifestKey(runPrefix(day, unicode)));
  });

  it('keeps plain names, including execution names start-run builds, as they are', () => {
    for (const name of [
      'payments-prod',
      'checkout',
      '3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61',
      'e778e4cf-20250314T092741-cpu-high-7e5b5bfb2b',
    ]) {
      expect(keySegment(name)).toBe(name);
    }
  });

  it('keeps every segment to the safe alphabet', () => {
    for (const name of ['..', '.', 'a/b', 'x-0123abcd', `${'y'.repeat(200)}`, '']) {
      expect(keySegment(name)).toMatch(/^[A-Za-z0-9][A-Za-z0-9._=-]{0,127}$/);
    }
  });
});
