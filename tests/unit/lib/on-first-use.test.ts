import { describe, expect, it, jest } from '@jest/globals';
import { onFirstUse } from '#lib/on-first-use.ts';

describe('onFirstUse', () => {
  it('makes nothing until the first call, then shares one value across calls', async () => {
    // Arrange
    const make = jest.fn(async () => ({ client: 'made' }));

    // Act
    const get = onFirstUse(make);
    const callsBeforeUse = make.mock.calls.length;
    const [first, second] = await Promise.all([get(), get()]);
    const third = await get();

    // Assert
    expect(callsBeforeUse).toBe(0);
    expect(make).toHaveBeenCalledTimes(1);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('does not keep a failure: the next call makes the value again', async () => {
    // Arrange
    const make = jest
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error('module failed to load'))
      .mockResolvedValueOnce('made');
    const get = onFirstUse(make);

    // Act
    const failed = get();

    // Assert
    await expect(failed).rejects.toThrow('module failed to load');
    await expect(get()).resolves.toBe('made');
    expect(make).toHaveBeenCalledTimes(2);
  });
});
