import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:493817260514:stateMachine:ecs-diagnostics';
process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
process.env.COOLDOWN_SECONDS = '600';

const { handler } = await import('../../../functions/start-run/handler.ts');
const sfn = mockClient(SFNClient);
const context = { functionName: 'start-run', awsRequestId: 'req-1' } as Context;

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(process.cwd(), 'events', name), 'utf8'));
}

beforeEach(() => {
  sfn.reset();
  sfn.on(ListExecutionsCommand).resolves({ executions: [] });
});

describe('start-run', () => {
  it('starts the state machine with the normalised request under the deterministic name', async () => {
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
      executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: new Date(),
    }));

    const result = await handler(fixture('eventbridge-alarm-ecs-cpu-single-metric.json'), context);

    expect(result.runs).toHaveLength(1);
    expect(result.runs[0]).toMatchObject({
      outcome: 'started',
      alarmName: 'payments-prod-checkout-api-cpu-high',
    });
    const call = sfn.commandCalls(StartExecutionCommand)[0];
    expect(call?.args[0].input.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(call?.args[0].input.name).toBe(result.runs[0]?.executionName);
    expect(JSON.parse(call?.args[0].input.input ?? '{}')).toMatchObject({
      cluster: 'payments-prod',
      service: 'checkout-api',
      source: { type: 'alarm', alarmName: 'payments-prod-checkout-api-cpu-high' },
    });
  });

  it('counts ExecutionAlreadyExists as a duplicate delivery, not a failure', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    const result = await handler(fixture('sns-alarm-single-metric-ecs-cpu.json'), context);

    expect(result.runs).toEqual([
      expect.objectContaining({ outcome: 'duplicate', reason: 'an execution with this name already exists' }),
    ]);
  });

  it('reports a duplicate when StartExecution returns the earlier start of a running identical execution', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:x', startDate: new Date(Date.now() - 60_000) });

    const result = await handler(fixture('lambda-alarm-action-metric.json'), context);

    expect(result.runs[0]?.outcome).toBe('duplicate');
  });

  it('skips a run inside the cooldown of the same cluster/service/script, reading ListExecutions pages', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    const first = await handler(fixture('eventbridge-alarm-ecs-cpu-single-metric.json'), context);
    const earlierName = first.runs[0]?.executionName ?? '';
    const key = earlierName.slice(0, 9);
    sfn.reset();
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({
        executions: [
          {
            executionArn: 'arn:other',
            stateMachineArn: STATE_MACHINE_ARN,
            name: 'ffffffff-20250314T120000-other-0000000000',
            status: 'RUNNING',
            startDate: new Date(Date.now() - 30_000),
          },
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        executions: [
          {
            executionArn: 'arn:earlier',
            stateMachineArn: STATE_MACHINE_ARN,
            name: `${key}20250314T092741-earlier-1111111111`,
            status: 'SUCCEEDED',
            startDate: new Date(Date.now() - 120_000),
          },
        ],
      });

    const result = await handler(fixture('eventbridge-alarm-metric-math.json'), context);

    expect(result.runs[0]).toMatchObject({ outcome: 'cooldown' });
    expect(result.runs[0]?.reason).toContain(
      `execution ${key}20250314T092741-earlier-1111111111 (SUCCEEDED)`,
    );
    expect(sfn).toHaveReceivedCommandTimes(ListExecutionsCommand, 2);
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { nextToken: 'page-2' });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('stops reading executions at the first one older than the window, and starts', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: 'arn:old',
          stateMachineArn: STATE_MACHINE_ARN,
          name: 'old',
          status: 'SUCCEEDED',
          startDate: new Date(Date.now() - 3_600_000),
        },
      ],
      nextToken: 'never-read',
    });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });

    const result = await handler(fixture('eventbridge-alarm-containerinsights-service.json'), context);

    expect(result.runs[0]?.outcome).toBe('started');
    expect(sfn).toHaveReceivedCommandTimes(ListExecutionsCommand, 1);
  });

  it('ignores the alarm going back to OK without calling Step Functions', async () => {
    const result = await handler(fixture('eventbridge-alarm-back-to-ok.json'), context);

    expect(result.runs).toEqual([
      {
        outcome: 'ignored',
        alarmName: 'payments-prod-checkout-api-cpu-high',
        reason: 'alarm state is OK, not ALARM: nothing to diagnose',
      },
    ]);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('starts scheduled runs without a cooldown lookup', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });

    const result = await handler(fixture('stepfunctions-input-from-schedule.json'), context);

    expect(result.runs[0]?.outcome).toBe('started');
    expect(sfn).not.toHaveReceivedCommand(ListExecutionsCommand);
  });

  it('fails with InvalidRequestError for an unreadable event', async () => {
    await expect(handler({ nonsense: true }, context)).rejects.toMatchObject({
      name: 'InvalidRequestError',
      field: 'event',
    });
  });

  it('passes other Step Functions errors through by name', async () => {
    const error = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    sfn.on(StartExecutionCommand).rejects(error);

    await expect(handler(fixture('eventbridge-alarm-anomaly-detection.json'), context)).rejects.toMatchObject(
      {
        name: 'ThrottlingException',
      },
    );
  });
});
