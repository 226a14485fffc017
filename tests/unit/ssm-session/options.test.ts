import { type Clock, openSessionCapture } from '#lib/ssm-session/index.ts';
import { credentials, type FakeAgent, startFakeAgent } from './fake-agent.ts';

describe('ssm-session capture: option validation', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  it.each([
    ['pingIntervalMs', { pingIntervalMs: 0 }],
    ['pingIntervalMs', { pingIntervalMs: Number.NaN }],
    ['livenessTimeoutMs', { livenessTimeoutMs: 0 }],
    ['livenessTimeoutMs', { livenessTimeoutMs: 1.5 }],
    ['livenessTimeoutMs', { livenessTimeoutMs: 2 ** 31 }],
    ['terminalSize.cols', { terminalSize: { cols: 0, rows: 24 } }],
    ['terminalSize.cols', { terminalSize: { cols: 80.5, rows: 24 } }],
    ['terminalSize.rows', { terminalSize: { cols: 80, rows: 70_000 } }],
    ['reorderCapacity', { reorderCapacity: 0 }],
    ['deadline', { deadline: Number.NaN }],
    // A fake clock whose `now` is a number (as @sinonjs/fake-timers has it) instead of a function.
    ['clock', { clock: { now: 0 } as unknown as Clock }],
  ])('rejects a bad %s with an InvalidRequestError naming it', (field, options) => {
    // Arrange
    const session = credentials(agent);

    // Act
    const open = () => openSessionCapture({ session, ...options });

    // Assert
    expect(open).toThrow(expect.objectContaining({ name: 'InvalidRequestError', field }));
  });

  it.each([
    ['session.streamUrl', { streamUrl: 'not a url' }],
    ['session.streamUrl', { streamUrl: 'https://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/x' }],
    ['session.sessionId', { sessionId: '' }],
    ['session.tokenValue', { tokenValue: '' }],
  ])('rejects a bad %s with an InvalidRequestError naming it', (field, override) => {
    // Arrange
    const session = { ...credentials(agent), ...override };

    // Act
    const open = () => openSessionCapture({ session });

    // Assert
    expect(open).toThrow(expect.objectContaining({ name: 'InvalidRequestError', field }));
  });
});
