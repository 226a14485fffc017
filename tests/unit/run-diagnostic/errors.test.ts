import {
  AccessDeniedException,
  ClientException,
  ClusterNotFoundException,
  DescribeClustersCommand,
  ECSServiceException,
  ExecuteCommandCommand,
  InvalidParameterException,
  ServerException,
  TargetNotConnectedException,
} from '@aws-sdk/client-ecs';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mapSessionKmsError } from '#lib/ecs-errors.ts';
import {
  errorFixture,
  lambdaContext,
  loadRunDiagnostic,
  mockRunDiagnosticClients,
  type RunDiagnosticHandler,
  runInput,
} from './fixtures.ts';

const ecs = mockRunDiagnosticClients();
let handler: RunDiagnosticHandler;
let clearClusterCache: () => void;

const meta = { $metadata: {} };

/** The SDK exception for each shared wire fixture, with the fixture's message. */
const CASES: [string, () => Error, RegExp[]][] = [
  [
    'access-denied',
    () => new AccessDeniedException({ ...meta, message: errorFixture('access-denied').message }),
    [
      /IAM condition key/,
      /ecs:cluster/,
      /ecs:container-name \("checkout"\)/,
      /payments-prod/,
      /not authorized/,
    ],
  ],
  [
    'cluster-not-found',
    () => new ClusterNotFoundException({ ...meta, message: errorFixture('cluster-not-found').message }),
    [/was not found/, /region/, /Cluster not found/],
  ],
  [
    'invalid-parameter',
    () => new InvalidParameterException({ ...meta, message: errorFixture('invalid-parameter').message }),
    [/execute command may not be enabled/, /ExecuteCommandAgent may not be running/, /enableExecuteCommand/],
  ],
  [
    'server',
    () => new ServerException({ ...meta, message: errorFixture('server').message }),
    [/retries/, /Service Unavailable/],
  ],
  [
    'target-not-connected',
    () => new TargetNotConnectedException({ ...meta, message: errorFixture('target-not-connected').message }),
    [
      /\(1\) the task role lacks ssmmessages/,
      /\(2\) the task has no network path/,
      /\(3\) the agent has not started/,
    ],
  ],
  [
    'throttling',
    () =>
      new ECSServiceException({
        ...meta,
        name: errorFixture('throttling').__type,
        $fault: 'client',
        message: errorFixture('throttling').message,
      }),
    [/throttled/, /Rate exceeded/],
  ],
];

describe('run-diagnostic error mapping', () => {
  beforeAll(async () => {
    ({ handler, clearClusterCache } = await loadRunDiagnostic());
  });

  beforeEach(() => {
    ecs.reset();
    clearClusterCache();
    ecs.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'payments-prod' }], failures: [] });
  });

  it.each(CASES)('surfaces %s under its own name with what to check', async (fixture, makeError, advice) => {
    // Arrange
    ecs.on(ExecuteCommandCommand).rejects(makeError());

    // Act
    const failure = await handlerError(runInput());

    // Assert
    expect(failure.name).toBe(errorFixture(fixture).__type);
    for (const pattern of advice) expect(failure.message).toMatch(pattern);
  });

  it('surfaces ClientException under its own name', async () => {
    ecs
      .on(ExecuteCommandCommand)
      .rejects(new ClientException({ ...meta, message: 'The task was not found.' }));

    const failure = await handlerError(runInput());

    expect(failure.name).toBe('ClientException');
    expect(failure.message).toMatch(/check the task and container exist/);
  });

  it('maps errors of DescribeClusters too, and a cluster that DescribeClusters does not return', async () => {
    ecs.on(DescribeClustersCommand).resolvesOnce({ clusters: [], failures: [{ reason: 'MISSING' }] });

    const failure = await handlerError(runInput());

    expect(failure.name).toBe('ClusterNotFoundException');
    expect(ecs.commandCalls(ExecuteCommandCommand)).toHaveLength(0);
  });

  it('names DescribeClusters, not ExecuteCommand, when DescribeClusters is denied', async () => {
    ecs
      .on(DescribeClustersCommand)
      .rejects(new AccessDeniedException({ ...meta, message: 'not authorized' }));

    const failure = await handlerError(runInput());

    expect(failure.name).toBe('AccessDeniedException');
    expect(failure.message).toMatch(/^ecs:DescribeClusters was denied for cluster/);
  });

  it('quotes untrusted names in messages (no raw control characters reach a log line)', async () => {
    ecs.on(ExecuteCommandCommand).rejects(new AccessDeniedException({ ...meta, message: 'denied' }));

    const failure = await handlerError(runInput({ container: 'evil\n{"level":"ERROR"}' }));

    expect(failure.message).toContain('"evil\\n{\\"level\\":\\"ERROR\\"}"');
    expect(failure.message).not.toContain('\n');
  });

  it('explains a KMS denial during the session handshake with the key and the template parameter', () => {
    const denied = Object.assign(new Error('User is not authorized to perform: kms:GenerateDataKey'), {
      name: 'AccessDeniedException',
    });

    const mapped = mapSessionKmsError(denied, 'arn:aws:kms:us-east-1:493817260514:key/k', {
      cluster: 'payments-prod',
      task: 'task-1',
      container: 'checkout',
    }) as Error;

    expect(mapped.name).toBe('AccessDeniedException');
    expect(mapped.message).toMatch(
      /kms:GenerateDataKey on it: deploy with the ExecCommandKmsKeyArn parameter/,
    );
    expect(mapped.message).toContain('"arn:aws:kms:us-east-1:493817260514:key/k"');
    expect(
      mapSessionKmsError(new Error('other'), 'k', { cluster: 'c', task: 't', container: 'x' }),
    ).toBeInstanceOf(Error);
  });

  it('passes an unknown error through unchanged', async () => {
    const odd = new Error('socket hang up');
    ecs.on(ExecuteCommandCommand).rejects(odd);

    const failure = await handlerError(runInput());

    expect(failure.name).toBe('Error');
    expect(failure.message).toBe('socket hang up');
  });
});

async function handlerError(event: unknown): Promise<Error> {
  try {
    await handler(event, lambdaContext());
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`handler threw a non-Error: ${String(error)}`);
  }
  throw new Error('the handler did not fail');
}
