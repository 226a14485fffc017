import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';

const run = promisify(execFile);
const MB = 1024 * 1024;
const root = process.cwd();

interface DriverResult {
  bytes: number;
  sha256: string;
  baselineRss: number;
  peakRss: number;
}

describe('ssm-session capture: memory does not grow with the output size', () => {
  let emulator: AgentEmulator;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function captureInChild(bytes: number): Promise<DriverResult & { agentSha256: string }> {
    const session = emulator.createSession({ generatedOutputBytes: bytes });
    const { stdout } = await run(
      join(root, 'node_modules/.bin/node'),
      ['--expose-gc', join(root, 'tests/integration/ssm-session/memory-driver.ts'), JSON.stringify(session)],
      { cwd: root, maxBuffer: MB },
    );
    const report = await emulator.waitForSession(session.sessionId);
    expect(report.violations).toEqual([]);
    return { ...(JSON.parse(stdout) as DriverResult), agentSha256: report.outputSha256 };
  }

  it('captures 20 MB and 200 MB byte-exact with the same peak RSS growth (within 64 MB)', async () => {
    // Act
    const small = await captureInChild(20 * MB);
    const large = await captureInChild(200 * MB);

    // Assert
    expect(small.bytes).toBe(20 * MB);
    expect(large.bytes).toBe(200 * MB);
    expect(small.sha256).toBe(small.agentSha256);
    expect(large.sha256).toBe(large.agentSha256);
    const smallGrowth = small.peakRss - small.baselineRss;
    const largeGrowth = large.peakRss - large.baselineRss;
    process.stdout.write(
      `capture memory: 20 MB → +${(smallGrowth / MB).toFixed(1)} MB RSS, 200 MB → +${(largeGrowth / MB).toFixed(1)} MB RSS\n`,
    );
    // Retention only: ten times the output may not retain more. Absolute RSS is measured in bench/capture.bench.ts.
    expect(largeGrowth - smallGrowth).toBeLessThan(64 * MB);
  }, 240_000);
});
