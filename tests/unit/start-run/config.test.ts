import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';

process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:493817260514:stateMachine:ecs-diagnostics';
mockClient(SFNClient);
const { loadStartConfig } = await import('../../../functions/start-run/handler.ts');

describe('start-run configuration', () => {
  it('reads the environment with its defaults', () => {
    const config = loadStartConfig({ STATE_MACHINE_ARN: 'arn:sm', ALLOWED_CLUSTERS: ' a, b ,,' });

    expect(config).toMatchObject({
      stateMachineArn: 'arn:sm',
      alarmNamePrefix: '',
      allowedClusters: ['a', 'b'],
      cooldownSeconds: 600,
      defaultScript: 'basic',
    });
  });

  it.each([
    [{}, /STATE_MACHINE_ARN is not set/],
    [{ STATE_MACHINE_ARN: 'arn:sm', COOLDOWN_SECONDS: 'ten' }, /COOLDOWN_SECONDS="ten" must be an integer/],
    [
      { STATE_MACHINE_ARN: 'arn:sm', DEFAULT_SCRIPT: 'rm -rf /' },
      /DEFAULT_SCRIPT="rm -rf \/" is not a catalog script/,
    ],
  ])('fails the cold start on %j', (env, message) => {
    expect(() => loadStartConfig(env)).toThrow(message);
  });
});
