import { dryRun } from './run-dry-run.ts';

afterEach(() => {
  delete process.env.STATE_MACHINE_ARN;
});

describe('dry-run: the stack account and region', () => {
  it('ignores an alarm of another account, as start-run would, when STATE_MACHINE_ARN names the stack', async () => {
    process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:ecs-diagnostics';

    const { code, output } = await dryRun(['--event', 'events/eventbridge-alarm-ecs-cpu-single-metric.json']);

    expect(code).toBe(3);
    expect(output.runs).toEqual([
      expect.objectContaining({ action: 'ignore', reason: expect.stringContaining('493817260514') }),
    ]);
  });

  it('starts it when the stack is in the alarm account and region', async () => {
    process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:493817260514:stateMachine:ecs-diagnostics';

    const { code } = await dryRun(['--event', 'events/eventbridge-alarm-ecs-cpu-single-metric.json']);

    expect(code).toBe(0);
  });
});
