import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Sandbox, startSandbox } from '#local/pipeline.ts';
import { loadWorld } from '#local/world.ts';
import { ecsDiag } from './support.ts';

describe('ecs-diag run --wait on a run with retries (sandbox faults)', () => {
  const savedEnv = { ...process.env };
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ world: loadWorld(), logLevel: 'SILENT', faults: true });
    Object.assign(process.env, sandbox.env);
  });

  afterAll(async () => {
    await sandbox.close();
    process.env = savedEnv;
  });

  it('shows each retry with its error and the longest the next delay can be, then the final table', async () => {
    const result = await ecsDiag([
      'run',
      '--cluster',
      'payments-prod',
      '--service',
      'checkout-api',
      '--max-tasks',
      '1',
      '--wait',
      '--poll-ms',
      '20',
    ]);

    expect(result.err).toMatch(
      /\/checkout: waiting to retry, attempt 1, last error TargetNotConnectedException \(.*\), next attempt within 10 s/,
    );
    expect(result.err).toMatch(/\/checkout: waiting to retry, attempt 2, .*next attempt within 20 s/);
    expect(result.err).toMatch(/\/checkout: (succeeded|partial|done), attempt [34]/);
    expect(result.out).toMatch(/^TARGET\s+STATUS/m);
    expect(result.out).toMatch(/checkout\s+\S+\s+\S*\s+.*\s+[34]\s/);
  });
});
