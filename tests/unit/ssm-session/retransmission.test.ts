import { OutgoingBuffer, RtoEstimator } from '#lib/ssm-session/outgoing.ts';

describe('ssm-session outgoing buffer', () => {
  it('starts with RTT 100 ms, RTTVAR 0, RTO 200 ms and follows the spec formula on each sample', () => {
    // Arrange
    const estimator = new RtoEstimator();
    expect([estimator.rtt, estimator.rttVar, estimator.rto]).toEqual([100, 0, 200]);

    // Act
    estimator.sample(20);

    // Assert: RTTVAR = 0.25·|100-20| = 20; RTT = 0.875·100 + 0.125·20 = 90; RTO = 90 + max(10, 80) = 170.
    expect(estimator.rttVar).toBeCloseTo(20);
    expect(estimator.rtt).toBeCloseTo(90);
    expect(estimator.rto).toBeCloseTo(170);
  });

  it('caps the RTO at 1 s and keeps at least the 10 ms clock granularity above the RTT', () => {
    // Arrange
    const slow = new RtoEstimator();
    const steady = new RtoEstimator();

    // Act
    for (let i = 0; i < 5; i += 1) slow.sample(5000);
    for (let i = 0; i < 200; i += 1) steady.sample(100);

    // Assert
    expect(slow.rto).toBe(1000);
    expect(steady.rto).toBeCloseTo(110, 0);
  });

  it('resends only the oldest unacked message once its RTO has passed, and forgets acked ones', () => {
    // Arrange
    let now = 1_000;
    const buffer = new OutgoingBuffer(() => now);
    buffer.add(0, Buffer.from('zero'));
    buffer.add(1, Buffer.from('one'));

    // Act / Assert
    now += 200;
    expect(buffer.due()).toBeUndefined();
    now += 1;
    expect(buffer.due()).toEqual(Buffer.from('zero'));
    expect(buffer.due()).toBeUndefined();
    expect(buffer.ack(0)).toBe(true);
    expect(buffer.ack(0)).toBe(false);
    now += 1_000;
    expect(buffer.due()).toEqual(Buffer.from('one'));
    expect(buffer.resends).toBe(2);
    buffer.ack(1);
    expect(buffer.size).toBe(0);
    expect(buffer.due()).toBeUndefined();
  });
});
