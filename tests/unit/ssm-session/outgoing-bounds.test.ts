import { DEFAULT_REORDER_BYTES, IncomingSequencer } from '#lib/ssm-session/incoming.ts';
import { MAX_BYTES_IN_FLIGHT, MAX_RESENDS_PER_MESSAGE, OutgoingBuffer } from '#lib/ssm-session/outgoing.ts';

describe('OutgoingBuffer bounds', () => {
  it('gives up on a message the agent never acks after MAX_RESENDS_PER_MESSAGE resends', () => {
    // Arrange
    let now = 0;
    const buffer = new OutgoingBuffer(() => now);
    buffer.add(0, Buffer.alloc(200));

    // Act
    let sent = 0;
    const tick = () => {
      now += 1001;
      if (buffer.due() !== undefined) sent += 1;
    };
    for (let i = 0; i < MAX_RESENDS_PER_MESSAGE; i += 1) tick();

    // Assert
    expect(sent).toBe(MAX_RESENDS_PER_MESSAGE);
    expect(tick).toThrow(
      expect.objectContaining({ name: 'ProtocolError', message: expect.stringContaining('still unacked') }),
    );
  });

  it('refuses to keep more than MAX_BYTES_IN_FLIGHT unacked, and frees the bytes on ack', () => {
    // Arrange
    const buffer = new OutgoingBuffer(() => 0);
    const frame = Buffer.alloc(MAX_BYTES_IN_FLIGHT / 4);
    for (let sequence = 0; sequence < 4; sequence += 1) buffer.add(sequence, frame);

    // Act / Assert
    expect(() => buffer.add(4, Buffer.alloc(1))).toThrow(expect.objectContaining({ field: 'Acknowledge' }));
    buffer.ack(0);
    expect(buffer.inFlightBytes).toBe((MAX_BYTES_IN_FLIGHT / 4) * 3);
    expect(() => buffer.add(4, Buffer.alloc(1))).not.toThrow();
  });
});

describe('IncomingSequencer byte bound', () => {
  it('holds back at most DEFAULT_REORDER_BYTES: 300 messages of 4 MiB without sequence 0 fail long before', () => {
    // Arrange
    const sequencer = new IncomingSequencer<number>();
    const size = 4 * 1024 * 1024;
    let accepted = 0;

    // Act
    const run = () => {
      for (let sequence = 1; sequence <= 300; sequence += 1) {
        if (!sequencer.fits(sequence, size)) break;
        sequencer.accept(sequence, sequence, () => {}, size);
        accepted += 1;
      }
      sequencer.accept(accepted + 1, 0, () => {}, size);
    };

    // Assert
    expect(run).toThrow(expect.objectContaining({ name: 'ProtocolError', field: 'SequenceNumber' }));
    expect(accepted).toBe(DEFAULT_REORDER_BYTES / size);
    expect(sequencer.pendingBytes).toBe(DEFAULT_REORDER_BYTES);
  });

  it('frees the held-back bytes when the gap fills', () => {
    // Arrange
    const sequencer = new IncomingSequencer<string>(10, 100);
    const delivered: string[] = [];
    sequencer.accept(1, 'b', (item) => delivered.push(item), 60);

    // Act
    sequencer.accept(0, 'a', (item) => delivered.push(item), 60);
    sequencer.accept(3, 'd', (item) => delivered.push(item), 90);

    // Assert
    expect(delivered).toEqual(['a', 'b']);
    expect(sequencer.pendingBytes).toBe(90);
  });
});
