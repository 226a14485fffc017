import {
  AccessDeniedException,
  ClientException,
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ExecuteCommandCommand,
  InvalidParameterException,
  ListTasksCommand,
  ServiceNotFoundException,
  TargetNotConnectedException,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type EcsEmulator, type ExecSessionSpec, startEcsEmulator } from '#local/ecs-emulator/index.ts';
import { loadWorld, parseWorld, type World } from '#local/world.ts';

const CLUSTER = 'payments-prod';
const TASK_A = '3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61';
const TASK_B = '8b21d6e04f7a4e1c95d3a0b7c6e2f914';
const TASK_AGENT_PENDING = 'c04e7a19d2b84f36a5e1907b3d6c8f25';

function worldWithKmsAndExecDisabledTask(): World {
  const world = structuredClone(loadWorld());
  const cluster = world.clusters[0];
  if (cluster === undefined) throw new Error('the default world has no cluster');
  cluster.kmsKeyId = 'arn:aws:kms:us-east-1:493817260514:key/4b1e7d29-8c3a-4f56-9e02-d7a1c6b5e384';
  cluster.tasks.push({
    id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    availabilityZone: 'us-east-1a',
    lastStatus: 'RUNNING',
    enableExecuteCommand: false,
    taskDefinition: 'batch:1',
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    agentVersion: '1.89.0',
    neverConnects: false,
    tags: {},
    containers: [
      {
        name: 'job',
        image: 'busybox',
        lastStatus: 'RUNNING',
        agentStatus: 'RUNNING',
        essential: true,
        env: {},
      },
    ],
  });
  world.taskDefinitions['batch:1'] = { pidMode: 'task' };
  return parseWorld(world);
}

describe('ecs-emulator', () => {
  const sessions: ExecSessionSpec[] = [];
  let emulator: EcsEmulator;
  let ecs: ECSClient;

  beforeAll(async () => {
    emulator = await startEcsEmulator({
      world: worldWithKmsAndExecDisabledTask(),
      sessions: {
        createSession: (spec) => {
          sessions.push(spec);
          const sessionId = `ecs-execute-command-test${sessions.length}`;
          return {
            sessionId,
            streamUrl: `ws://127.0.0.1:1/v1/data-channel/${sessionId}`,
            tokenValue: 'token',
          };
        },
      },
      faults: { targetNotConnectedAttempts: 1, accessDenied: [TASK_B] },
    });
    ecs = new ECSClient({ endpoint: emulator.endpoint, region: 'us-east-1', maxAttempts: 1 });
  });

  afterAll(async () => {
    ecs.destroy();
    await emulator.close();
  });

  it('describes clusters with the exec configuration only when CONFIGURATIONS is included', async () => {
    const plain = await ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER, 'nope'] }));
    const withConfig = await ecs.send(
      new DescribeClustersCommand({
        clusters: [`arn:aws:ecs:us-east-1:493817260514:cluster/${CLUSTER}`],
        include: ['CONFIGURATIONS'],
      }),
    );

    expect(plain.clusters?.[0]?.clusterName).toBe(CLUSTER);
    expect(plain.clusters?.[0]?.configuration).toBeUndefined();
    expect(plain.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:493817260514:cluster/nope', reason: 'MISSING' },
    ]);
    expect(withConfig.clusters?.[0]?.configuration?.executeCommandConfiguration?.kmsKeyId).toMatch(
      /^arn:aws:kms:/,
    );
  });

  it('describes services and reports missing ones as failures', async () => {
    const result = await ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: ['checkout-api', 'gone'] }),
    );

    expect(result.services?.map((s) => [s.serviceName, s.runningCount, s.enableExecuteCommand])).toEqual([
      ['checkout-api', 3, true],
    ]);
    expect(result.failures?.[0]?.reason).toBe('MISSING');
  });

  it("lists a service's tasks page by page with nextToken", async () => {
    const first = await ecs.send(
      new ListTasksCommand({ cluster: CLUSTER, serviceName: 'checkout-api', maxResults: 2 }),
    );
    const second = await ecs.send(
      new ListTasksCommand({
        cluster: CLUSTER,
        serviceName: 'checkout-api',
        maxResults: 2,
        nextToken: first.nextToken,
      }),
    );

    expect(first.taskArns).toHaveLength(2);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(second.taskArns).toHaveLength(1);
    expect(second.nextToken).toBeUndefined();
    expect(new Set([...(first.taskArns ?? []), ...(second.taskArns ?? [])]).size).toBe(3);
  });

  it('lists no tasks for desiredStatus STOPPED in a world without stopped tasks', async () => {
    const result = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: 'STOPPED' }));

    expect(result.taskArns).toEqual([]);
  });

  it('describes tasks with runtime ids and agent status, tags only with TAGS', async () => {
    const plain = await ecs.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: [TASK_A, TASK_AGENT_PENDING, 'f'.repeat(32)] }),
    );
    const tagged = await ecs.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: [TASK_A], include: ['TAGS'] }),
    );

    const [a, pending] = plain.tasks ?? [];
    expect(a?.tags).toBeUndefined();
    expect(a?.availabilityZone).toBe('us-east-1a');
    expect(a?.enableExecuteCommand).toBe(true);
    expect(a?.containers?.map((c) => c.name)).toEqual(['checkout', 'ecs-service-connect-7Exhn']);
    expect(a?.containers?.[0]?.runtimeId).toMatch(new RegExp(`^${TASK_A}-\\d{10}$`));
    expect(a?.containers?.[0]?.managedAgents?.[0]).toMatchObject({
      name: 'ExecuteCommandAgent',
      lastStatus: 'RUNNING',
    });
    expect(pending?.containers?.[0]?.managedAgents?.[0]?.lastStatus).toBe('PENDING');
    expect(plain.failures).toEqual([
      { arn: `arn:aws:ecs:us-east-1:493817260514:task/${CLUSTER}/${'f'.repeat(32)}`, reason: 'MISSING' },
    ]);
    expect(tagged.tasks?.[0]?.tags).toEqual([{ key: 'team', value: 'payments' }]);
  });

  it('describes the task definition a task runs, with pidMode when set', async () => {
    const service = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'checkout-api:42' }));
    const batch = await ecs.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: 'arn:aws:ecs:us-east-1:493817260514:task-definition/batch:1',
      }),
    );

    expect(service.taskDefinition?.containerDefinitions?.map((c) => [c.name, c.essential])).toEqual([
      ['checkout', true],
      ['ecs-service-connect-7Exhn', true],
    ]);
    expect(service.taskDefinition?.pidMode).toBeUndefined();
    expect(batch.taskDefinition).toMatchObject({ family: 'batch', revision: 1, pidMode: 'task' });
    await expect(
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope:1' })),
    ).rejects.toBeInstanceOf(ClientException);
  });

  it('rejects more than 100 tasks in DescribeTasks', async () => {
    const tasks = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, '0'));

    await expect(ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('maps unknown clusters and services to the ECS exceptions', async () => {
    await expect(ecs.send(new ListTasksCommand({ cluster: 'nope' }))).rejects.toBeInstanceOf(
      ClusterNotFoundException,
    );
    await expect(
      ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'nope' })),
    ).rejects.toBeInstanceOf(ServiceNotFoundException);
  });

  it('refuses the first ExecuteCommand attempt with TargetNotConnected, then opens a session', async () => {
    const input = {
      cluster: CLUSTER,
      task: TASK_A,
      container: 'checkout',
      command: '/bin/sh -c "echo hi"',
      interactive: true,
    };

    await expect(ecs.send(new ExecuteCommandCommand(input))).rejects.toBeInstanceOf(
      TargetNotConnectedException,
    );
    const result = await ecs.send(new ExecuteCommandCommand(input));

    expect(result.session?.sessionId).toMatch(/^ecs-execute-command-/);
    expect(result.containerName).toBe('checkout');
    expect(result.taskArn).toBe(`arn:aws:ecs:us-east-1:493817260514:task/${CLUSTER}/${TASK_A}`);
    const spec = sessions.at(-1);
    expect(spec?.command).toBe('/bin/sh -c "echo hi"');
    expect(spec?.targetId).toMatch(new RegExp(`^ecs:${CLUSTER}_${TASK_A}_${TASK_A}-\\d{10}$`));
    expect(spec?.kms?.keyId).toMatch(/^arn:aws:kms:/);
  });

  it('drops only the first session of a task when interruptFirstSessionAfter is set', async () => {
    emulator.setFaults({ interruptFirstSessionAfter: 5, sessionFaults: { seed: 1 } });
    const input = { cluster: CLUSTER, container: 'checkout', command: 'true', interactive: true };

    await ecs.send(new ExecuteCommandCommand({ ...input, task: TASK_B }));
    await ecs.send(new ExecuteCommandCommand({ ...input, task: TASK_B }));
    emulator.setFaults({ targetNotConnectedAttempts: 1, accessDenied: [TASK_B] });

    expect(sessions.slice(-2).map((spec) => spec.faults)).toEqual([
      { seed: 1, dropConnectionAfterMessages: 5 },
      { seed: 1 },
    ]);
  });

  it('maps exec faults to AccessDenied and InvalidParameter', async () => {
    const base = { cluster: CLUSTER, container: 'checkout', command: 'true', interactive: true };

    await expect(ecs.send(new ExecuteCommandCommand({ ...base, task: TASK_B }))).rejects.toBeInstanceOf(
      AccessDeniedException,
    );
    await expect(
      ecs.send(new ExecuteCommandCommand({ ...base, task: TASK_AGENT_PENDING })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      ecs.send(new ExecuteCommandCommand({ ...base, container: 'job', task: 'a'.repeat(32) })),
    ).rejects.toThrow(/execute command was not enabled/);
    await expect(
      ecs.send(new ExecuteCommandCommand({ ...base, task: TASK_A, interactive: false })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      ecs.send(
        new ExecuteCommandCommand({ cluster: CLUSTER, task: TASK_A, command: 'true', interactive: true }),
      ),
    ).rejects.toThrow(/more than one container/);
  });
});
