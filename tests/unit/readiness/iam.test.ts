import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-jest';
import { callerCheck } from '#lib/readiness/caller.ts';
import { clusterLoggingCheck } from '#lib/readiness/cluster.ts';
import { SSMMESSAGES_ACTIONS, taskRoleChecks } from '#lib/readiness/task-role.ts';
import {
  awsError,
  CLUSTER_ARN,
  clients,
  cluster,
  definition,
  evaluations,
  fargateTask,
  finding,
  mocks,
  ROLE_ARN,
  TASK_ARN,
} from './fixtures.ts';

const KEY = 'arn:aws:kms:us-east-1:493817260514:key/1234abcd-12ab-34cd-56ef-1234567890ab';

beforeEach(() => mocks.iam.reset());

describe('readiness task role checks', () => {
  it('passes a role that may open the channels and decrypt with the exec key', async () => {
    mocks.iam
      .on(SimulatePrincipalPolicyCommand, { ActionNames: SSMMESSAGES_ACTIONS })
      .resolves({ EvaluationResults: evaluations(SSMMESSAGES_ACTIONS) })
      .on(SimulatePrincipalPolicyCommand, { ActionNames: ['kms:Decrypt'] })
      .resolves({ EvaluationResults: evaluations(['kms:Decrypt']) });

    const checks = await taskRoleChecks(clients.iam, {
      task: fargateTask(),
      definition: definition(),
      kmsKeyArn: KEY,
    });

    expect(checks.map((check) => [check.id, check.status])).toEqual([
      ['role.exists', 'pass'],
      ['role.ssmmessages', 'pass'],
      ['role.exec-kms', 'pass'],
    ]);
    expect(mocks.iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: ROLE_ARN,
      ResourceArns: [KEY],
    });
  });

  it('fails a task without a role, and uses the task override before the definition', async () => {
    const none = await taskRoleChecks(clients.iam, {
      task: fargateTask(),
      definition: definition({ taskRoleArn: undefined }),
    });
    expect(finding(none, 'role.exists').status).toBe('fail');
    expect(mocks.iam).not.toHaveReceivedCommand(SimulatePrincipalPolicyCommand);

    mocks.iam
      .on(SimulatePrincipalPolicyCommand)
      .resolves({ EvaluationResults: evaluations(SSMMESSAGES_ACTIONS) });
    const override = `arn:aws:iam::493817260514:role/override`;
    await taskRoleChecks(clients.iam, {
      task: fargateTask({ overrides: { taskRoleArn: override } }),
      definition: definition(),
    });
    expect(mocks.iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: override,
    });
  });

  it('fails a role that does not exist (NoSuchEntity)', async () => {
    mocks.iam.on(SimulatePrincipalPolicyCommand).rejects(awsError('NoSuchEntityException'));

    const checks = await taskRoleChecks(clients.iam, { task: fargateTask(), definition: definition() });

    expect(finding(checks, 'role.exists')).toMatchObject({ status: 'fail' });
    expect(finding(checks, 'role.exists').evidence).toContain('does not exist');
  });

  it('fails a role without ssmmessages, naming each refused action', async () => {
    mocks.iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: evaluations(SSMMESSAGES_ACTIONS, [
        'ssmmessages:OpenDataChannel',
        'ssmmessages:CreateDataChannel',
      ]),
    });

    const check = finding(
      await taskRoleChecks(clients.iam, { task: fargateTask(), definition: definition() }),
      'role.ssmmessages',
    );

    expect(check.status).toBe('fail');
    expect(check.evidence).toContain('ssmmessages:OpenDataChannel (implicitDeny)');
    expect(check.fix).toContain('ssmmessages:CreateControlChannel');
  });

  it('says "not checked (needs iam:SimulatePrincipalPolicy)" when the simulation is denied, never pass', async () => {
    mocks.iam
      .on(SimulatePrincipalPolicyCommand)
      .rejects(awsError('AccessDenied', 'User: x is not authorized to perform: iam:SimulatePrincipalPolicy'));

    const checks = await taskRoleChecks(clients.iam, {
      task: fargateTask(),
      definition: definition(),
      kmsKeyArn: KEY,
    });

    for (const check of checks) {
      expect(check.status).toBe('not-checked');
      expect(check.evidence).toContain('not checked (needs `iam:SimulatePrincipalPolicy`)');
    }
  });

  it('names an SCP or a permissions boundary when the simulator says one denied', async () => {
    mocks.iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        ...evaluations(SSMMESSAGES_ACTIONS.slice(1)),
        {
          EvalActionName: SSMMESSAGES_ACTIONS[0],
          EvalResourceName: '*',
          EvalDecision: 'explicitDeny',
          OrganizationsDecisionDetail: { AllowedByOrganizations: false },
        },
      ],
    });

    const check = finding(
      await taskRoleChecks(clients.iam, { task: fargateTask(), definition: definition() }),
      'role.ssmmessages',
    );

    expect(check.evidence).toContain('(explicitDeny by an SCP)');
  });
});

describe('readiness logging check', () => {
  it('simulates the task role on an OVERRIDE log group and bucket', async () => {
    mocks.iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
      EvaluationResults: evaluations(input.ActionNames, ['s3:PutObject']),
    }));
    const config = cluster({
      logging: 'OVERRIDE',
      logConfiguration: {
        cloudWatchLogGroupName: '/ecs/exec',
        s3BucketName: 'exec-logs',
        s3KeyPrefix: 'ledger',
        s3EncryptionEnabled: true,
      },
    });

    const check = await clusterLoggingCheck(clients.iam, config, ROLE_ARN);

    expect(check?.status).toBe('fail');
    expect(check?.evidence).toContain('s3:PutObject (implicitDeny)');
    expect(check?.evidence).toContain('its own KMS key is not read');
    expect(mocks.iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      ResourceArns: ['arn:aws:logs:us-east-1:493817260514:log-group:/ecs/exec:*'],
    });
    expect(mocks.iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      ResourceArns: ['arn:aws:s3:::exec-logs/ledger/*'],
    });
  });

  it('has nothing to check for DEFAULT logging', async () => {
    expect(await clusterLoggingCheck(clients.iam, cluster({ logging: 'DEFAULT' }), ROLE_ARN)).toBeUndefined();
  });
});

describe('readiness caller check', () => {
  it('simulates ecs:ExecuteCommand on the cluster and the task with the ecs:cluster context', async () => {
    mocks.iam
      .on(SimulatePrincipalPolicyCommand)
      .resolves({ EvaluationResults: evaluations(['ecs:ExecuteCommand']) });
    const principalArn = 'arn:aws:iam::493817260514:role/stack-RunDiagnosticFunctionRole-X';

    const check = await callerCheck(clients.iam, {
      principalArn,
      clusterArn: CLUSTER_ARN,
      taskArn: TASK_ARN,
    });

    expect(check.status).toBe('pass');
    expect(mocks.iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: principalArn,
      ActionNames: ['ecs:ExecuteCommand'],
      ResourceArns: [CLUSTER_ARN, TASK_ARN],
      ContextEntries: [
        { ContextKeyName: 'ecs:cluster', ContextKeyValues: [CLUSTER_ARN], ContextKeyType: 'string' },
      ],
    });
  });

  it('fails when the simulation refuses, and is not checked without a principal or when denied', async () => {
    mocks.iam
      .on(SimulatePrincipalPolicyCommand)
      .resolves({ EvaluationResults: evaluations(['ecs:ExecuteCommand'], ['ecs:ExecuteCommand']) });
    const principalArn = 'arn:aws:iam::493817260514:role/r';
    expect(
      (await callerCheck(clients.iam, { principalArn, clusterArn: CLUSTER_ARN, taskArn: TASK_ARN })).status,
    ).toBe('fail');
    expect((await callerCheck(clients.iam, { clusterArn: CLUSTER_ARN, taskArn: TASK_ARN })).status).toBe(
      'not-checked',
    );

    mocks.iam.on(SimulatePrincipalPolicyCommand).rejects(awsError('AccessDenied'));
    const denied = await callerCheck(clients.iam, {
      principalArn,
      clusterArn: CLUSTER_ARN,
      taskArn: TASK_ARN,
    });
    expect(denied).toMatchObject({ status: 'not-checked' });
    expect(denied.evidence).toContain('needs `iam:SimulatePrincipalPolicy`');
  });
});
