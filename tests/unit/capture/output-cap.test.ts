import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it, jest } from '@jest/globals';
import { OutputCap, utf8Boundary } from '#lib/capture/output-cap.ts';

describe('capture/output-cap', () => {
  it('stores up to the cap, calls onCap once and appends the trailer', async () => {
    const onCap = jest.fn();
    const cap = new OutputCap({
      capBytes: 10,
      onCap,
      trailer: async ({ capped, bytes }) => `|capped=${capped} bytes=${bytes}`,
    });

    const out = await buffer(
      Readable.from([Buffer.from('0123456'), Buffer.from('789abc'), Buffer.from('def')]).pipe(cap),
    );

    expect(out.toString()).toBe('0123456789|capped=true bytes=10');
    expect(onCap).toHaveBeenCalledTimes(1);
    expect(cap.bytes).toBe(out.length);
  });

  it('never splits a UTF-8 character at the cap', async () => {
    const cap = new OutputCap({ capBytes: 5, onCap: () => undefined, trailer: async () => '' });

    const out = await buffer(Readable.from([Buffer.from('abcé日')]).pipe(cap));

    expect(out.toString()).toBe('abcé');
    expect(utf8Boundary(Buffer.from('日本'), 4)).toBe(3);
  });

  it('passes everything below the cap and fails the stream when the trailer rejects', async () => {
    const ok = new OutputCap({ capBytes: 100, onCap: () => undefined, trailer: async () => '' });
    const failing = new OutputCap({
      capBytes: 100,
      onCap: () => undefined,
      trailer: async () => {
        throw new Error('session dropped');
      },
    });

    await expect(buffer(Readable.from([Buffer.from('short')]).pipe(ok))).resolves.toEqual(
      Buffer.from('short'),
    );
    await expect(buffer(Readable.from([Buffer.from('short')]).pipe(failing))).rejects.toThrow(
      'session dropped',
    );
  });
});
