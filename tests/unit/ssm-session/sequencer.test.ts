import { IncomingSequencer } from '#lib/ssm-session/incoming.ts';

describe('ssm-session incoming sequencer', () => {
  it('releases buffered messages in order once the gap fills and counts duplicates and early arrivals', () => {
    // Arrange
    const sequencer = new IncomingSequencer<string>();
    const delivered: string[] = [];
    const deliver = (item: string) => delivered.push(item);

    // Act
    const arrivals = [
      sequencer.accept(2, 'c', deliver),
      sequencer.accept(1, 'b', deliver),
      sequencer.accept(2, 'c again', deliver),
      sequencer.accept(0, 'a', deliver),
      sequencer.accept(1, 'b again', deliver),
      sequencer.accept(3, 'd', deliver),
    ];

    // Assert
    expect(arrivals).toEqual(['buffered', 'buffered', 'duplicate', 'in-order', 'duplicate', 'in-order']);
    expect(delivered).toEqual(['a', 'b', 'c', 'd']);
    expect([sequencer.expected, sequencer.duplicates, sequencer.outOfOrder, sequencer.pending]).toEqual([
      4, 2, 2, 0,
    ]);
  });

  it('throws a ProtocolError naming SequenceNumber for a gap larger than its capacity', () => {
    // Arrange
    const sequencer = new IncomingSequencer<string>(3);

    // Act / Assert
    expect(sequencer.accept(3, 'ok', () => {})).toBe('buffered');
    expect(() => sequencer.accept(4, 'too far', () => {})).toThrow(
      expect.objectContaining({ name: 'ProtocolError', field: 'SequenceNumber' }),
    );
  });
});
