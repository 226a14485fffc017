import { compareVersions, taskChecks } from '#lib/readiness/task.ts';
import { definition, fargateTask, finding } from './fixtures.ts';

describe('readiness task checks', () => {
  it('passes a ready Fargate task', () => {
    const checks = taskChecks({ task: fargateTask(), definition: definition() });

    expect(checks.filter((check) => check.status !== 'pass')).toEqual([]);
  });

  it('fails a task that is not RUNNING or was started without exec', () => {
    const checks = taskChecks({
      task: fargateTask({ lastStatus: 'PENDING', enableExecuteCommand: false }),
      definition: definition(),
    });

    expect(finding(checks, 'task.running')).toMatchObject({
      status: 'fail',
      evidence: 'lastStatus is PENDING',
    });
    expect(finding(checks, 'task.exec-enabled').fix).toContain(
      'aws ecs update-service --cluster ledger-prod --service ledger-worker --enable-execute-command',
    );
  });

  it('fails an old Fargate platform version and passes LATEST', () => {
    const old = taskChecks({ task: fargateTask({ platformVersion: '1.3.0' }), definition: definition() });
    const latest = taskChecks({ task: fargateTask({ platformVersion: 'LATEST' }), definition: definition() });

    expect(finding(old, 'task.platform')).toMatchObject({ status: 'fail' });
    expect(finding(old, 'task.platform').evidence).toContain('1.3.0 is older than 1.4.0');
    expect(finding(latest, 'task.platform').status).toBe('pass');
  });

  it('checks the EC2 agent version against 1.50.2, and says when it is unknown', () => {
    const ec2 = fargateTask({ launchType: 'EC2', platformVersion: undefined });

    expect(finding(taskChecks({ task: ec2, agentVersion: '1.50.1' }), 'task.platform').status).toBe('fail');
    expect(finding(taskChecks({ task: ec2, agentVersion: '1.89.0' }), 'task.platform').status).toBe('pass');
    expect(finding(taskChecks({ task: ec2 }), 'task.platform').status).toBe('not-checked');
    expect(compareVersions('1.50.10', '1.50.2')).toBeGreaterThan(0);
  });

  it('fails an agent that is not RUNNING, a read-only root filesystem and AWS keys in the environment', () => {
    const checks = taskChecks({
      task: fargateTask({
        containers: [
          { name: 'ledger', managedAgents: [{ name: 'ExecuteCommandAgent', lastStatus: 'STOPPED' }] },
        ],
        overrides: {
          containerOverrides: [
            { name: 'ledger', environment: [{ name: 'AWS_SECRET_ACCESS_KEY', value: 's3cr3t' }] },
          ],
        },
      }),
      definition: definition(
        {},
        {
          readonlyRootFilesystem: true,
          environment: [{ name: 'AWS_ACCESS_KEY_ID', value: 'AKIAEXAMPLEKEY000000' }],
        },
      ),
    });

    expect(finding(checks, 'task.exec-agent')).toMatchObject({
      status: 'fail',
      evidence: 'ExecuteCommandAgent STOPPED in ledger',
    });
    expect(finding(checks, 'task.readonly-rootfs').status).toBe('fail');
    const keys = finding(checks, 'task.aws-credentials-env');
    expect(keys.status).toBe('fail');
    expect(keys.evidence).toContain('AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY');
    expect(JSON.stringify(checks)).not.toMatch(/s3cr3t|AKIAEXAMPLEKEY/);
  });

  it('warns about pidMode task and a missing init process', () => {
    const checks = taskChecks({
      task: fargateTask(),
      definition: definition({ pidMode: 'task' }, { linuxParameters: {} }),
    });

    expect(finding(checks, 'task.pid-mode').status).toBe('warn');
    expect(finding(checks, 'task.init-process').status).toBe('warn');
  });

  it('says "not checked" for what needs the task definition when it could not be read', () => {
    const checks = taskChecks({ task: fargateTask() });

    for (const id of [
      'task.readonly-rootfs',
      'task.init-process',
      'task.aws-credentials-env',
      'task.pid-mode',
    ]) {
      expect(finding(checks, id).status).toBe('not-checked');
    }
  });

  it('escapes control characters in names from the account', () => {
    const checks = taskChecks({
      task: fargateTask({ containers: [{ name: 'a\u001b[2Jb', managedAgents: [] }] }),
      definition: definition(),
    });

    expect(finding(checks, 'task.exec-agent').evidence).toContain('a\\u001b[2Jb');
  });
});
