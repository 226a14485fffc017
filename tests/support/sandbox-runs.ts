/**
 * The sandbox end-to-end tests' setup (one sandbox per describe block) and what they read back after a run:
 * its final status, its S3 keys, its manifest.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { type DescribeExecutionCommandOutput, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll } from '@jest/globals';
import type { Manifest } from '#lib/manifest.ts';
import { type Sandbox, startSandbox } from '#local/pipeline.ts';
import { loadWorld } from '#local/world.ts';
import { finalStatus as pollFinalStatus } from './executions.ts';
import { expectValidManifest } from './manifest-schema.ts';

/** Queries over one sandbox through the real SFN and S3 clients. */
export function sandboxRuns(sandbox: Sandbox, sfn: SFNClient) {
  const s3 = sandbox.s3.client(sandbox.world.region);

  /** Polls DescribeExecution until ANY final status (never only success). */
  const finalStatus = (executionArn: string): Promise<DescribeExecutionCommandOutput> =>
    pollFinalStatus(sfn, executionArn);

  /** Every key under the execution's run prefix. */
  async function keysOf(executionName: string): Promise<string[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: sandbox.bucket, Prefix: 'runs/' }));
    return (listed.Contents ?? [])
      .map((item) => item.Key ?? '')
      .filter((key) => key.includes(`/${executionName}/`));
  }

  /** The execution's manifest.json, validated against the v2 schema. */
  async function manifestOf(executionName: string): Promise<Manifest> {
    const key = (await keysOf(executionName)).find((candidate) => candidate.endsWith('/manifest.json'));
    if (key === undefined) throw new Error(`no manifest.json under the run prefix of ${executionName}`);
    const object = await s3.send(new GetObjectCommand({ Bucket: sandbox.bucket, Key: key }));
    const manifest = JSON.parse((await object.Body?.transformToString()) ?? '{}') as Manifest;
    expectValidManifest(manifest);
    return manifest;
  }

  return { s3, finalStatus, keysOf, manifestOf };
}

/** A started sandbox with its SFN and S3 clients and the queries above. */
export type SandboxContext = { sandbox: Sandbox; sfn: SFNClient } & ReturnType<typeof sandboxRuns>;

/**
 * Starts the sandbox (the shipped world) before the describe block's tests and closes it after them,
 * restoring process.env. The fields of the returned object are set once beforeAll has run.
 */
export function useSandbox(): SandboxContext {
  const savedEnv = { ...process.env };
  const context = {} as SandboxContext;
  beforeAll(async () => {
    const sandbox = await startSandbox({ world: loadWorld(), logLevel: 'SILENT' });
    const sfn = new SFNClient({ endpoint: sandbox.endpoints.sfn, region: sandbox.world.region });
    Object.assign(context, { sandbox, sfn }, sandboxRuns(sandbox, sfn));
  });
  afterAll(async () => {
    context.sfn?.destroy();
    await context.sandbox?.close();
    process.env = savedEnv;
  });
  return context;
}
