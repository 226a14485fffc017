import { describe, expect, it } from '@jest/globals';
import { assertNodeVersion } from '#local/pipeline.ts';

describe('sandbox node version check', () => {
  it('refuses Node older than 22.5 with a message that says how to run it', () => {
    expect(() => assertNodeVersion('20.20.2')).toThrow(/needs Node >= 22\.5 \(found 20\.20\.2\).*npm start/);
    expect(() => assertNodeVersion('22.4.1')).toThrow(/needs Node >= 22\.5/);
  });

  it('accepts 22.5 and later', () => {
    expect(() => assertNodeVersion('22.5.0')).not.toThrow();
    expect(() => assertNodeVersion('24.21.0')).not.toThrow();
  });
});
