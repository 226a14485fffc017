/** What the sandbox end-to-end tests read back after a run: its final status, its S3 keys, its manifest. */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { Manifest } from '#lib/manifest.ts';
import type { Sandbox } from '#local/pipeline.ts';
import { expectValidManifest } from './manifest-schema.ts';

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** Queries over one sandbox through the real SFN and S3 clients. */
export function sandboxRuns(sandbox: Sandbox, sfn: SFNClient) {
  const s3 = sandbox.s3.client(sandbox.world.region);

  /** Polls DescribeExecution until ANY final status (never only success). */
  async function finalStatus(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    for (;;) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (FINAL.has(described.status ?? '')) return described;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

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
