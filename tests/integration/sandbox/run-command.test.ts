import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { asLambdaTask, type SfnEmulator, startSfnEmulator } from '#local/sfn-emulator/index.ts';
import { run } from '../../../bin/commands/run.ts';

/** Records the request it receives; fails when asked for the `failing` service. */
const definition = {
  StartAt: 'Record',
  States: {
    Record: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:record', End: true },
  },
} as unknown as StateMachineDefinition;

describe('ecs-diag run', () => {
  let emulator: SfnEmulator;
  let sfn: SFNClient;
  let stateMachineArn: string;
  const received: unknown[] = [];

  beforeAll(async () => {
    emulator = await startSfnEmulator({
      region: 'us-east-1',
      account: '123456789012',
      stateMachines: [
        {
          name: 'diagnostics',
          definition,
          handlers: () => ({
            Record: asLambdaTask(async (input) => {
              received.push(input);
              if ((input as { service?: string }).service === 'failing') {
                throw Object.assign(new Error('no target succeeded'), { name: 'NoTargetSucceeded' });
              }
              return { manifestKey: 'somewhere', succeeded: 1 };
            }),
          }),
        },
      ],
    });
    sfn = new SFNClient({ endpoint: emulator.endpoint, region: 'us-east-1' });
    stateMachineArn = emulator.stateMachineArn('diagnostics');
  });

  afterAll(async () => {
    sfn.destroy();
    await emulator.close();
  });

  function capture() {
    const lines: string[] = [];
    const errors: string[] = [];
    return {
      lines,
      errors,
      deps: { sfn, out: (l: string) => lines.push(l), err: (l: string) => errors.push(l) },
    };
  }

  it('starts a manual execution with a valid request and prints its ARN', async () => {
    const { lines, deps } = capture();

    const code = await run(
      [
        '--cluster',
        'payments-prod',
        '--service',
        'checkout-api',
        '--max-tasks',
        '2',
        '--state-machine-arn',
        stateMachineArn,
      ],
      deps,
    );

    expect(code).toBe(0);
    expect(lines[0]).toMatch(
      /^arn:aws:states:us-east-1:123456789012:execution:diagnostics:manual-\d{8}T\d{6}-payments-prod-checkout-api-[0-9a-f]{6}$/,
    );
    await emulator.waitForExecution(lines[0] ?? '');
    expect(received.at(-1)).toMatchObject({
      cluster: 'payments-prod',
      service: 'checkout-api',
      script: 'basic',
      maxTasks: 2,
      source: { type: 'manual' },
    });
  });

  it('waits for the final status and prints the manifest location', async () => {
    const { lines, deps } = capture();

    const code = await run(
      [
        '--cluster',
        'c',
        '--service',
        's',
        '--wait',
        '--poll-ms',
        '10',
        '--bucket',
        'out',
        '--state-machine-arn',
        stateMachineArn,
      ],
      deps,
    );

    expect(code).toBe(0);
    expect(lines).toContain('status: SUCCEEDED');
    const name = lines[0]?.split(':').pop() ?? '';
    expect(lines.at(-1)).toMatch(
      new RegExp(`^manifest: s3://out/runs/\\d{4}/\\d{2}/\\d{2}/${name}/manifest\\.json$`),
    );
  });

  it('returns 1 and prints the error when the execution fails', async () => {
    const { lines, deps } = capture();

    const code = await run(
      [
        '--cluster',
        'c',
        '--service',
        'failing',
        '--wait',
        '--poll-ms',
        '10',
        '--state-machine-arn',
        stateMachineArn,
      ],
      deps,
    );

    expect(code).toBe(1);
    expect(lines).toContain('status: FAILED');
    expect(lines).toContain('error: NoTargetSucceeded');
    expect(lines).toContain('cause: no target succeeded');
  });

  it('refuses a missing service, an unknown script and a missing state machine with exit code 2', async () => {
    const missing = capture();
    const badScript = capture();
    const noMachine = capture();
    const saved = process.env.STATE_MACHINE_ARN;
    delete process.env.STATE_MACHINE_ARN;

    const codes = [
      await run(['--cluster', 'c', '--state-machine-arn', stateMachineArn], missing.deps),
      await run(
        ['--cluster', 'c', '--service', 's', '--script', 'rm -rf /', '--state-machine-arn', stateMachineArn],
        badScript.deps,
      ),
      await run(['--cluster', 'c', '--service', 's'], noMachine.deps),
    ];
    if (saved !== undefined) process.env.STATE_MACHINE_ARN = saved;

    expect(codes).toEqual([2, 2, 2]);
    expect(missing.errors[0]).toContain('--service is required');
    expect(badScript.errors[0]).toContain('script');
    expect(noMachine.errors[0]).toContain('STATE_MACHINE_ARN');
  });
});
