import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { channelClosedFrame, outputFrame } from '../../unit/ssm-session/fake-agent.ts';
import { binaryFrame, type RudePeer, startRudePeer } from '../../unit/ssm-session/rude-peer.ts';

const root = process.cwd();
/** Far below ws's own 30 s close timeout, far above the client's 2 s bound plus Node's start-up on a loaded machine. */
const GRACE_MS = 15_000;

/** The exit code and stdout of a child, or 'still running' if it has not exited within GRACE_MS (it is then killed). */
function exitWithinGrace(
  child: ChildProcess,
): Promise<{ code: number | null; stdout: string } | 'still running'> {
  let stdout = '';
  child.stdout?.on('data', (data: Buffer) => {
    stdout += data.toString('utf8');
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running');
    }, GRACE_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

describe('ecs-diag attach against a peer that never completes the close handshake', () => {
  let peer: RudePeer;
  beforeAll(async () => {
    peer = await startRudePeer();
  });
  afterAll(async () => {
    await peer.close();
  });

  it('exits 0 with the output soon after channel_closed, not after ws’s 30 s close timeout', async () => {
    // Arrange
    const session = { sessionId: 'session-rude', streamUrl: peer.url, tokenValue: 'token' };
    const child = spawn(
      join(root, 'node_modules/.bin/node'),
      [join(root, 'bin/ecs-diag.ts'), 'attach', '--session', JSON.stringify(session)],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = exitWithinGrace(child);
    const connection = await peer.nextConnection();

    // Act
    connection.socket.write(binaryFrame(outputFrame(0, 'all done\n')));
    connection.socket.write(binaryFrame(channelClosedFrame()));

    // Assert
    await expect(exited).resolves.toEqual({ code: 0, stdout: 'all done\n' });
  });
});
