import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { ResolvedState, Target } from '#lib/contracts.ts';
import { generateFleetWorld } from '#local/fleet-world.ts';
import { type Sandbox, startSandbox } from '#local/pipeline.ts';

/** 300 tasks over 30 services in 2 clusters: 150 tasks and 15 services each. */
const SIZE = { tasks: 300, services: 30, clusters: 2 };

describe('fleet sweep requests (resolve-targets against the ECS emulator)', () => {
  const savedEnv = { ...process.env };
  let sandbox: Sandbox;
  let s3: S3Client;
  let counter = 0;

  beforeAll(async () => {
    sandbox = await startSandbox({ world: generateFleetWorld(SIZE), logLevel: 'SILENT' });
    s3 = sandbox.s3.client(sandbox.world.region);
  });
  afterAll(async () => {
    await sandbox.close();
    process.env = savedEnv;
  });
  beforeEach(() => sandbox.ecs.setFaults({}));

  function resolve(request: unknown): Promise<ResolvedState> {
    counter += 1;
    return sandbox.invoke('resolve-targets', {
      request,
      execution: { name: `sweep-${counter}`, startTime: '2026-12-01T22:00:00.000Z' },
    }) as Promise<ResolvedState>;
  }

  async function storedTargets(state: ResolvedState): Promise<Target[]> {
    const answer = await s3.send(new GetObjectCommand({ Bucket: sandbox.bucket, Key: state.targetsKey }));
    const text = (await answer.Body?.transformToString()) ?? '';
    return text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Target);
  }

  it('resolves a list of services, says which one is missing, and stays inline when small', async () => {
    const state = await resolve({
      cluster: 'fleet-1',
      services: ['svc-001', 'svc-003', 'svc-404'],
      maxTasks: 3,
    });

    expect(state.mode).toBe('inline');
    expect(state.targetCount).toBe(6);
    expect(state.targets).toHaveLength(6);
    expect(state.skipped).toEqual([
      {
        cluster: 'fleet-1',
        reason: 'service arn:aws:ecs:us-east-1:493817260514:service/fleet-1/svc-404: MISSING',
      },
    ]);
    // targets.jsonl holds the same targets with their task facts; the inline state leaves the facts out.
    const stored = await storedTargets(state);
    expect(stored.map(({ facts: _facts, ...target }) => target)).toEqual(state.targets);
    for (const target of stored) {
      expect(target.facts).toMatchObject({
        image: expect.any(String),
        taskDefinition: expect.stringMatching(/:\d+$/),
      });
    }
    expect(sandbox.ecs.calls.get('DescribeServices')).toBe(1);
    expect(sandbox.ecs.calls.get('ListServices')).toBeUndefined();
  });

  it('sweeps allServices across clusters with ECS calls proportional to the fleet', async () => {
    const state = await resolve({ clusters: ['fleet-1', 'fleet-2'], allServices: true, maxTasks: 50 });

    expect(state.mode).toBe('distributed');
    expect(state.targetCount).toBe(300);
    expect(state.targets).toBeUndefined();
    expect(JSON.stringify(state).length).toBeLessThan(4096);
    const targets = await storedTargets(state);
    expect(new Set(targets.map((target) => target.taskArn)).size).toBe(300);
    // Per cluster: ListServices 1 page, DescribeServices ⌈15/10⌉, ListTasks 1 per service, DescribeTasks ⌈150/100⌉.
    expect(Object.fromEntries(sandbox.ecs.calls)).toMatchObject({
      ListServices: 2,
      DescribeServices: 4,
      ListTasks: 30,
      DescribeTasks: 4,
    });
  });

  it('applies maxTasks per service', async () => {
    const state = await resolve({ cluster: 'fleet-2', allServices: true, maxTasks: 2 });
    const targets = await storedTargets(state);
    expect(targets).toHaveLength(30);
    expect(state.mode).toBe('distributed');
  });

  it('sweeps the services that carry every tag of serviceTags', async () => {
    const state = await resolve({
      clusters: ['fleet-1', 'fleet-2'],
      serviceTags: { team: 'payments', tier: 'critical' },
      maxTasks: 1,
    });
    const world = generateFleetWorld(SIZE);
    const tagged = world.clusters.flatMap((cluster) =>
      cluster.services.filter((s) => s.tags.team === 'payments' && s.tags.tier === 'critical'),
    );
    expect(tagged.length).toBeGreaterThan(0);
    expect(state.targetCount).toBe(tagged.length);
    const clusters = new Set((state.targets ?? []).map((target) => target.cluster));
    expect(clusters).toEqual(new Set(['fleet-1', 'fleet-2']));
  });

  it('says why a sweep resolves to nothing', async () => {
    await expect(resolve({ cluster: 'fleet-1', serviceTags: { team: 'nobody' } })).rejects.toMatchObject({
      name: 'InvalidRequestError',
      message: expect.stringMatching(
        /resolved to no container.*none of its 15 services carries every tag of serviceTags \(team=nobody\)/,
      ),
    });
  });

  it('refuses a cluster outside the allow-list, naming clusters', async () => {
    await expect(resolve({ clusters: ['fleet-1', 'elsewhere'], allServices: true })).rejects.toMatchObject({
      name: 'InvalidRequestError',
      message: expect.stringMatching(/^clusters: "elsewhere" not in ALLOWED_CLUSTERS/),
    });
  });

  it('retries ThrottlingException from ECS (the SDK standard retry strategy, with jitter)', async () => {
    sandbox.ecs.setFaults({ throttleFirstReads: 3 });
    const state = await resolve({ cluster: 'fleet-1', services: ['svc-001'], maxTasks: 1 });
    expect(state.targetCount).toBe(1);
    // 3 throttled DescribeServices attempts, then one each of DescribeServices, ListTasks, DescribeTasks.
    expect(sandbox.ecs.calls.get('DescribeServices')).toBe(4);
  });
});
