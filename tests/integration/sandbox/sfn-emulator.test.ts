import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidName,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { asLambdaTask, type SfnEmulator, startSfnEmulator } from '#local/sfn-emulator/index.ts';

/** A small machine: a Task, a Map whose item Task retries a transient error, and a Fail on `fail: true`. */
const definition = {
  StartAt: 'Prepare',
  States: {
    Prepare: {
      Type: 'Task',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a DefinitionSubstitutions placeholder, as in the template
      Resource: '${PrepareArn}',
      Parameters: { 'input.$': '$', 'name.$': '$$.Execution.Name' },
      Next: 'Each',
    },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Work',
        States: {
          Work: {
            Type: 'Task',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a DefinitionSubstitutions placeholder
            Resource: '${WorkArn}',
            Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 60, MaxAttempts: 3 }],
            End: true,
          },
        },
      },
      ResultPath: '$.results',
      Next: 'Check',
    },
    Check: {
      Type: 'Choice',
      Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'Boom' }],
      Default: 'Done',
    },
    Boom: { Type: 'Fail', Error: 'TestFailure', Cause: 'asked to fail' },
    Done: { Type: 'Succeed' },
  },
} as unknown as StateMachineDefinition;

function flaky(): Error {
  const error = new Error('try again');
  error.name = 'Flaky';
  return error;
}

describe('sfn-emulator', () => {
  let emulator: SfnEmulator;
  let sfn: SFNClient;
  let machineArn: string;
  const releaseSlow: Array<() => void> = [];

  beforeAll(async () => {
    emulator = await startSfnEmulator({
      region: 'eu-west-1',
      account: '123456789012',
      stateMachines: [
        {
          name: 'test-machine',
          definition,
          retryIntervalOverrides: { Work: 5 },
          handlers: () => {
            const attempts = new Map<number, number>();
            return {
              Prepare: asLambdaTask(async (input) => {
                const { input: raw, name } = input as {
                  input: { items: number[]; fail?: boolean };
                  name: string;
                };
                const items = raw.items;
                if (items.includes(-1))
                  throw Object.assign(new Error('bad items'), { name: 'InvalidRequestError' });
                if (items.includes(-2)) await new Promise<void>((resolve) => releaseSlow.push(resolve));
                return { items, name, fail: raw.fail === true };
              }),
              Work: asLambdaTask(async (input) => {
                const item = input as number;
                const attempt = (attempts.get(item) ?? 0) + 1;
                attempts.set(item, attempt);
                if (attempt < 3) throw flaky();
                return { item, attempt };
              }),
            };
          },
        },
      ],
    });
    sfn = new SFNClient({ endpoint: emulator.endpoint, region: 'eu-west-1', maxAttempts: 1 });
    machineArn = emulator.stateMachineArn('test-machine');
  });

  afterAll(async () => {
    for (const release of releaseSlow) release();
    sfn.destroy();
    await emulator.close();
  });

  async function waitForFinal(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    for (;;) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') return described;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('runs an execution to SUCCEEDED with retries shortened by the override', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArn,
        name: 'ok-1',
        input: JSON.stringify({ items: [1, 2] }),
      }),
    );
    const described = await waitForFinal(started.executionArn ?? '');

    expect(started.executionArn).toBe('arn:aws:states:eu-west-1:123456789012:execution:test-machine:ok-1');
    expect(started.startDate).toBeInstanceOf(Date);
    expect([described.status, described.error, described.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(described.output ?? 'null')).toEqual({
      items: [1, 2],
      name: 'ok-1',
      fail: false,
      results: [
        { item: 1, attempt: 3 },
        { item: 2, attempt: 3 },
      ],
    });
  });

  it('reports a Fail state as FAILED with its error and cause', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArn,
        input: JSON.stringify({ items: [], fail: true }),
      }),
    );
    const described = await waitForFinal(started.executionArn ?? '');

    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('TestFailure');
    expect(described.cause).toBe('asked to fail');
  });

  it('reports a handler error by its name, with a Lambda-style JSON cause', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, input: JSON.stringify({ items: [-1] }) }),
    );
    const described = await waitForFinal(started.executionArn ?? '');

    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('InvalidRequestError');
    expect(JSON.parse(described.cause ?? '{}')).toMatchObject({
      errorType: 'InvalidRequestError',
      errorMessage: 'bad items',
    });
  });

  it('refuses a second execution with the same name', async () => {
    const request = { stateMachineArn: machineArn, name: 'dedup-1', input: JSON.stringify({ items: [] }) };
    const first = await sfn.send(new StartExecutionCommand(request));
    await waitForFinal(first.executionArn ?? '');

    await expect(sfn.send(new StartExecutionCommand(request))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('stops a running execution, which then lists as ABORTED', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArn,
        name: 'slow-1',
        input: JSON.stringify({ items: [-2] }),
      }),
    );
    const running = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'RUNNING' }),
    );
    await sfn.send(
      new StopExecutionCommand({ executionArn: started.executionArn, error: 'Manual', cause: 'test' }),
    );
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    const aborted = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'ABORTED' }),
    );

    expect(running.executions?.map((e) => e.name)).toContain('slow-1');
    expect(described.status).toBe('ABORTED');
    expect(described.error).toBe('Manual');
    expect(aborted.executions?.map((e) => e.name)).toEqual(['slow-1']);
  });

  it('pages ListExecutions newest first', async () => {
    const first = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, maxResults: 2 }));
    const second = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn, maxResults: 2, nextToken: first.nextToken }),
    );

    expect(first.executions).toHaveLength(2);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(second.executions?.length).toBeGreaterThan(0);
    const names = [...(first.executions ?? []), ...(second.executions ?? [])].map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('maps bad requests to the Step Functions exceptions', async () => {
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${machineArn}-nope`, input: '{}' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: 'has space', input: '{}' })),
    ).rejects.toBeInstanceOf(InvalidName);
    for (const name of ['non\uFFFEchar', 'non\uFFFFchar', 'lone\uD800high', 'lone\uDC00low']) {
      await expect(
        sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name, input: '{}' })),
      ).rejects.toBeInstanceOf(InvalidName);
    }
    await expect(
      sfn.send(
        new DescribeExecutionCommand({
          executionArn: `${machineArn.replace(':stateMachine:', ':execution:')}:nope`,
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('refuses a definition with a Task state that has no local handler', async () => {
    await expect(
      startSfnEmulator({
        region: 'eu-west-1',
        account: '123456789012',
        stateMachines: [{ name: 'incomplete', definition, handlers: () => ({ Prepare: async () => ({}) }) }],
      }),
    ).rejects.toThrow(/no local handler for Task state\(s\) Work/);
  });
});
