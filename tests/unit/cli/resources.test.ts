import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveResources, stackResources } from '../../../bin/cli/aws.ts';
import { CliError } from '../../../bin/cli/exit-codes.ts';

const cfn = mockClient(CloudFormationClient);

describe('ecs-diag --stack and resource resolution', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    cfn.reset();
    delete process.env.STATE_MACHINE_ARN;
    delete process.env.OUTPUT_BUCKET;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it("reads the state machine and the bucket from the stack's outputs", async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'diag' }).resolves({
      Stacks: [
        {
          StackName: 'diag',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            {
              OutputKey: 'StateMachineArn',
              OutputValue: 'arn:aws:states:eu-west-1:111122223333:stateMachine:d',
            },
            { OutputKey: 'OutputBucketName', OutputValue: 'diag-bucket' },
          ],
        },
      ],
    });

    const resolved = await resolveResources({ stack: 'diag' }, ['stateMachineArn', 'bucket'], (stack) =>
      stackResources(stack, {}, new CloudFormationClient({})),
    );

    expect(resolved).toEqual({
      stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:d',
      bucket: 'diag-bucket',
    });
  });

  it('lets a flag, then the environment, override the stack', async () => {
    process.env.OUTPUT_BUCKET = 'from-env';
    let read = 0;

    const resolved = await resolveResources(
      { stack: 'diag', stateMachineArn: 'arn:flag' },
      ['stateMachineArn', 'bucket'],
      async () => {
        read += 1;
        return { stateMachineArn: 'arn:stack', bucket: 'from-stack' };
      },
    );

    expect(resolved).toEqual({ stateMachineArn: 'arn:flag', bucket: 'from-env' });
    expect(read).toBe(0);
  });

  it('names the stack, the region and the profile when the stack cannot be read', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id nope does not exist'), { name: 'ValidationError' }));

    const failure = stackResources('nope', {}, new CloudFormationClient({}));

    await expect(failure).rejects.toThrow(CliError);
    await expect(failure).rejects.toThrow(
      /--stack "nope": could not read its outputs \(ValidationError: Stack with id nope does not exist\); check the stack name, --region and --profile/,
    );
  });

  it('says which flag, variable or stack output is missing', async () => {
    const missing = resolveResources({}, ['stateMachineArn']);

    await expect(missing).rejects.toThrow(
      /no state machine: pass --stack NAME .*--state-machine-arn ARN or STATE_MACHINE_ARN/,
    );
  });
});
