import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TargetResult } from '#lib/contracts.ts';
import { fleetSweepRequest, generateFleetWorld } from '#local/fleet-world.ts';
import { type Sandbox, startSandbox } from '#local/pipeline.ts';
import { expectValidManifest } from '../../support/manifest-schema.ts';

/** Task ids of the generated world (`f` + 31 hex digits of the task number). */
const taskId = (n: number) => `f${n.toString(16).padStart(31, '0')}`;
const DENIED = [taskId(7), taskId(500), taskId(999)];

describe('a 1000-target sweep through the sandbox (Distributed Map)', () => {
  const savedEnv = { ...process.env };
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ world: generateFleetWorld(), logLevel: 'SILENT' });
  });
  afterAll(async () => {
    await sandbox.close();
    process.env = savedEnv;
  });

  it('diagnoses 1000 containers over 50 services in 2 clusters; failing children leave the others in the manifest; no state passes 64 KB', async () => {
    sandbox.ecs.setFaults({ accessDenied: DENIED });
    const started = (await sandbox.invoke('start-run', {
      ...fleetSweepRequest(),
      reason: 'fleet test',
    })) as unknown;
    expect(started).toBeDefined();
    const record = await waitForOnlyExecution(sandbox);

    expect(record.status).toBe('SUCCEEDED');
    expect(record.stats.childExecutions).toBe(1000);
    expect(record.stats.maxConcurrentChildren).toBeLessThanOrEqual(40);
    expect(record.stats.maxPayloadBytes).toBeLessThan(64 * 1024);

    const calls = Object.fromEntries(sandbox.ecs.calls);
    // resolve-targets: DescribeTasks in batches of 100 (10 calls), whose task facts travel in targets.jsonl;
    // run-diagnostic describes no task (no exec KMS key here), each denied target's readiness check does one.
    expect(calls).toMatchObject({ ListServices: 2, DescribeServices: 6, ListTasks: 50 });
    expect(calls.DescribeTasks).toBe(10 + 3);
    expect(calls.ExecuteCommand).toBe(1000);

    const output = JSON.parse(record.output ?? '{}') as { manifestKey: string };
    const s3 = sandbox.s3.client(sandbox.world.region);
    const answer = await s3.send(new GetObjectCommand({ Bucket: sandbox.bucket, Key: output.manifestKey }));
    const manifest = JSON.parse((await answer.Body?.transformToString()) ?? '{}') as {
      outcome: string;
      targets: TargetResult[];
    };
    expect(manifest.targets).toHaveLength(1000);
    expect(new Set(manifest.targets.map((t) => `${t.target.taskArn}/${t.target.container}`)).size).toBe(1000);
    const failed = manifest.targets.filter((t) => t.status === 'failed');
    expect(failed.map((t) => t.target.taskArn.split('/').pop()).sort()).toEqual([...DENIED].sort());
    expect(failed.every((t) => t.error?.name === 'AccessDeniedException')).toBe(true);
    const unhappy = manifest.targets
      .filter((t) => t.status !== 'succeeded' && t.status !== 'failed')
      .map((t) => ({
        task: t.target.taskArn.split('/').pop(),
        status: t.status,
        partialReasons: t.partialReasons,
      }));
    expect(unhappy).toEqual([]);
    const stored = manifest.targets.filter((t) => t.status === 'succeeded');
    expect(stored).toHaveLength(997);
    expect(stored.every((t) => (t.bytes ?? 0) > 0 && t.s3Key?.endsWith('/app/basic.log'))).toBe(true);
    expect(manifest.outcome).toBe('partial');
    // Every target, the failed ones too, has its task's facts from resolve-targets' batched DescribeTasks.
    for (const entry of manifest.targets) {
      expect(entry.task).toMatchObject({
        service: expect.any(String),
        image: 'public.ecr.aws/docker/library/busybox:latest',
        taskDefinition: expect.stringMatching(/:\d+$/),
        launchType: expect.any(String),
        az: expect.any(String),
      });
    }
    expectValidManifest(manifest);
  }, 900_000);
});

async function waitForOnlyExecution(sandbox: Sandbox) {
  for (;;) {
    const [execution] = sandbox.sfn.executions();
    if (execution !== undefined) return sandbox.sfn.waitForExecution(execution.executionArn);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
