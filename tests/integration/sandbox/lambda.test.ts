import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { invokeLocal, type LocalFunction, loadTemplateFunctions } from '#local/lambda.ts';
import { asLambdaTask } from '#local/sfn-emulator/index.ts';

const TEMPLATE = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 7
    MemorySize: 256
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  RunDiagnosticFunction:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 900
      Environment:
        Variables:
          OUTPUT_BUCKET: !Ref Bucket
  WriteReportFunction:
    Type: AWS::Serverless::Function
    Properties:
      Role: !GetAtt Role.Arn
`;

const env = { region: 'us-east-1', account: '123456789012' };

describe('local lambda', () => {
  it("reads each function's timeout and memory from the template, CloudFormation tags and all", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-template-'));
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);

    const functions = loadTemplateFunctions(join(dir, 'template.yaml'));

    expect([...functions.values()]).toEqual([
      { name: 'run-diagnostic', logicalId: 'RunDiagnosticFunction', timeoutSeconds: 900, memoryMb: 256 },
      { name: 'write-report', logicalId: 'WriteReportFunction', timeoutSeconds: 7, memoryMb: 256 },
    ]);
  });

  it('passes a copy of the event and a context that counts down from the timeout', async () => {
    const fn: LocalFunction = { name: 'x', logicalId: 'XFunction', timeoutSeconds: 30, memoryMb: 128 };
    const event = { a: 1 };
    let seen: { event: unknown; remaining: number; arn: string } | undefined;

    const result = await invokeLocal(
      async (received: never, context: Context) => {
        seen = {
          event: received,
          remaining: context.getRemainingTimeInMillis(),
          arn: context.invokedFunctionArn,
        };
        (received as { a: number }).a = 2;
        return { ok: true, at: new Date(0) };
      },
      event,
      fn,
      env,
    );

    expect(result).toEqual({ ok: true, at: '1970-01-01T00:00:00.000Z' });
    expect(event.a).toBe(1);
    expect(seen?.remaining).toBeGreaterThan(29_000);
    expect(seen?.remaining).toBeLessThanOrEqual(30_000);
    expect(seen?.arn).toBe('arn:aws:lambda:us-east-1:123456789012:function:XFunction');
  });

  it('fails with Sandbox.Timedout when the handler outlives its timeout', async () => {
    const fn: LocalFunction = {
      name: 'slow',
      logicalId: 'SlowFunction',
      timeoutSeconds: 0.05,
      memoryMb: 128,
    };
    let timer: NodeJS.Timeout | undefined;

    const outcome = invokeLocal(
      () =>
        new Promise((resolve) => {
          timer = setTimeout(resolve, 5_000);
        }),
      {},
      fn,
      env,
    );

    await expect(outcome).rejects.toMatchObject({
      name: 'Sandbox.Timedout',
      message: expect.stringMatching(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 0\.05 seconds$/),
    });
    clearTimeout(timer);
  });

  it("gives Step Functions Lambda's cause for a timeout: errorType and errorMessage, no trace", async () => {
    const fn: LocalFunction = {
      name: 'slow',
      logicalId: 'SlowFunction',
      timeoutSeconds: 0.05,
      memoryMb: 128,
    };
    let timer: NodeJS.Timeout | undefined;
    const task = asLambdaTask(() =>
      invokeLocal(() => new Promise((resolve) => (timer = setTimeout(resolve, 5_000))), {}, fn, env),
    );

    const error = (await task({}).catch((reason: unknown) => reason)) as Error;
    clearTimeout(timer);

    expect(error.name).toBe('Sandbox.Timedout');
    expect(JSON.parse(error.message)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Task timed out after 0\.05 seconds$/),
    });
  });
});
