import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';

process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:493817260514:stateMachine:ecs-diagnostics';
mockClient(SFNClient);
const { loadStartConfig } = await import('../../../functions/start-run/handler.ts');

describe('start-run configuration: home account and region', () => {
  it('takes the account and region alarms must come from from the state machine ARN', () => {
    const config = loadStartConfig({
      STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111122223333:stateMachine:diagnostics',
    });

    expect(config.home).toEqual({ account: '111122223333', region: 'eu-west-1' });
  });
});
