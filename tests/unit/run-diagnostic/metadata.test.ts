import { describe, expect, it } from '@jest/globals';
import { metadataValue } from '../../../functions/run-diagnostic/run.ts';

describe('run-diagnostic metadataValue', () => {
  it('percent-encodes untrusted text into printable ASCII that decodes back', () => {
    // Arrange
    const value = 'cpu high / ünïcode\r\nX-Injected: 1';

    // Act
    const encoded = metadataValue(value);

    // Assert
    expect(encoded).toMatch(/^[\x21-\x7e]*$/);
    expect(decodeURIComponent(encoded)).toBe(value);
  });

  it.each([0, 1, 2])('never cuts a long value inside a %%XX escape (offset %i)', (offset) => {
    // Arrange: multi-byte characters whose escapes straddle the length limit at every offset
    const value = `${'a'.repeat(offset)}${'é'.repeat(400)}`;

    // Act
    const encoded = metadataValue(value);

    // Assert
    expect(encoded.length).toBeLessThanOrEqual(512);
    expect(encoded).toMatch(/^(?:[^%]|%[0-9A-F]{2})*$/);
    expect(value.startsWith(decodeURIComponent(encoded))).toBe(true);
  });

  it('encodes a lone surrogate (malformed UTF-16 from JSON input) instead of throwing', () => {
    // Arrange
    const value = 'app\ud800x';

    // Act
    const encoded = metadataValue(value);

    // Assert
    expect(decodeURIComponent(encoded)).toBe('app\ufffdx');
  });
});
