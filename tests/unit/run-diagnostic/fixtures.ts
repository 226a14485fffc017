/** Shared arrangement of the run-diagnostic unit tests: the input, a fake Lambda context, the wire fixtures. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { RunDiagnosticInput } from '#lib/contracts.ts';
import { fakeContext } from '../../support/lambda-context.ts';

export const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:493817260514:cluster/payments-prod';
export const TASK_ARN =
  'arn:aws:ecs:us-east-1:493817260514:task/payments-prod/3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61';

/** A RunDiagnosticInput as the Map hands it over. */
export function runInput(overrides: Partial<RunDiagnosticInput['target']> = {}): RunDiagnosticInput {
  return {
    target: { cluster: CLUSTER_ARN, taskArn: TASK_ARN, container: 'checkout', script: 'basic', ...overrides },
    run: {
      executionName: 'alarm-checkout-cpu-20250314T092803Z',
      prefix: 'runs/2025/03/14/alarm-checkout-cpu-20250314T092803Z/',
      alarmName: 'checkout-cpu-high',
    },
    retryCount: 0,
  };
}

/** A Lambda context with `remainingMs` left. */
export function lambdaContext(remainingMs = 300_000): Context {
  return fakeContext('run-diagnostic', remainingMs);
}

/** `body` of an events/ecs-error-*.json fixture (copied from the shared ones): the exact wire `{__type, message}`. */
export function errorFixture(name: string): { __type: string; message: string } {
  const path = join(import.meta.dirname, '..', '..', '..', 'events', `ecs-error-${name}.json`);
  return (JSON.parse(readFileSync(path, 'utf8')) as { body: { __type: string; message: string } }).body;
}

/** The run-diagnostic handler as the tests call it. */
export type RunDiagnosticHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Mocks run-diagnostic's four AWS clients (S3, SSM and KMS answer nothing) and returns the ECS stub. */
export function mockRunDiagnosticClients() {
  process.env.OUTPUT_BUCKET = 'diagnostics-bucket';
  const ecs = mockClient(ECSClient);
  mockClient(S3Client);
  mockClient(SSMClient);
  mockClient(KMSClient);
  return ecs;
}

/** Imports the handler (after OUTPUT_BUCKET is set) and the per-container cluster cache's reset. */
export async function loadRunDiagnostic(): Promise<{
  handler: RunDiagnosticHandler;
  clearClusterCache: () => void;
}> {
  const { handler } = (await import('../../../functions/run-diagnostic/handler.ts')) as unknown as {
    handler: RunDiagnosticHandler;
  };
  const { clearClusterCache } = await import('../../../functions/run-diagnostic/run.ts');
  return { handler, clearClusterCache };
}
