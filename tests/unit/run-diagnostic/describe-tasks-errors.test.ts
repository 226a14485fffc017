import {
  AccessDeniedException,
  ClientException,
  DescribeClustersCommand,
  DescribeTasksCommand,
  ExecuteCommandCommand,
  InvalidParameterException,
} from '@aws-sdk/client-ecs';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  lambdaContext,
  loadRunDiagnostic,
  mockRunDiagnosticClients,
  type RunDiagnosticHandler,
  runInput,
} from './fixtures.ts';

const ecs = mockRunDiagnosticClients();
let handler: RunDiagnosticHandler;
let clearClusterCache: () => void;

const KMS_KEY = 'arn:aws:kms:us-east-1:493817260514:key/4b1e7d29-8c3a-4f56-9e02-d7a1c6b5e384';

describe('run-diagnostic DescribeTasks error mapping', () => {
  beforeAll(async () => {
    ({ handler, clearClusterCache } = await loadRunDiagnostic());
  });

  beforeEach(() => {
    ecs.reset();
    clearClusterCache();
    ecs.on(DescribeClustersCommand).resolves({
      clusters: [
        {
          clusterName: 'payments-prod',
          configuration: { executeCommandConfiguration: { kmsKeyId: KMS_KEY } },
        },
      ],
      failures: [],
    });
  });

  it('names DescribeTasks, not ExecuteCommand, when the runtime-id lookup is denied', async () => {
    // Arrange: a KMS cluster needs the container runtime id, which DescribeTasks gives
    ecs
      .on(DescribeTasksCommand)
      .rejects(new AccessDeniedException({ $metadata: {}, message: 'not authorized to DescribeTasks' }));

    // Act
    const failure = (await handler(runInput(), lambdaContext()).catch((error: unknown) => error)) as Error;

    // Assert
    expect(failure.name).toBe('AccessDeniedException');
    expect(failure.message).toMatch(/^ecs:DescribeTasks was denied for cluster/);
    expect(failure.message).not.toMatch(/ecs:ExecuteCommand was denied/);
    expect(ecs.commandCalls(ExecuteCommandCommand)).toHaveLength(0);
  });

  it.each([
    [
      'InvalidParameterException',
      () => new InvalidParameterException({ $metadata: {}, message: 'bad task id' }),
    ],
    ['ClientException', () => new ClientException({ $metadata: {}, message: 'task not found' })],
  ])('gives DescribeTasks advice, not ExecuteCommand advice, for %s', async (name, makeError) => {
    // Arrange
    ecs.on(DescribeTasksCommand).rejects(makeError());

    // Act
    const failure = (await handler(runInput(), lambdaContext()).catch((error: unknown) => error)) as Error;

    // Assert
    expect(failure.name).toBe(name);
    expect(failure.message).toMatch(/^ecs:DescribeTasks failed for cluster/);
    expect(failure.message).not.toMatch(/ExecuteCommand|enableExecuteCommand/);
  });
});
