/**
 * Runs a real handler in-process the way Lambda would: a context whose getRemainingTimeInMillis counts
 * down from the function's Timeout in template.yaml, and a `Sandbox.Timedout` error when it runs out.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { parse } from 'yaml';

/** One function of the template, as the sandbox runs it. */
export interface LocalFunction {
  /** `resolve-targets`: the folder under functions/. */
  name: string;
  logicalId: string;
  timeoutSeconds: number;
  memoryMb: number;
}

/** A handler built with createHandler (middy): (event, context) → result. */
export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

const DEFAULT_TIMEOUT_SECONDS = 3;

/**
 * Reads every AWS::Serverless::Function of the template: `StartRunFunction` → `start-run`, with its
 * Timeout and MemorySize (or the Globals' ones). CloudFormation tags (!Ref, !Sub ...) are read as plain values.
 */
export function loadTemplateFunctions(templateFile: string | URL): Map<string, LocalFunction> {
  if (!existsSync(templateFile)) throw new Error(`the SAM template ${String(templateFile)} does not exist`);
  const template = parse(readFileSync(templateFile, 'utf8'), { logLevel: 'silent' }) as {
    Globals?: { Function?: { Timeout?: unknown; MemorySize?: unknown } };
    Resources?: Record<string, { Type?: string; Properties?: { Timeout?: unknown; MemorySize?: unknown } }>;
  };
  const globals = template.Globals?.Function ?? {};
  const functions = new Map<string, LocalFunction>();
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Serverless::Function') continue;
    const name = logicalId
      .replace(/Function$/, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase();
    const timeout = Number(resource.Properties?.Timeout ?? globals.Timeout ?? DEFAULT_TIMEOUT_SECONDS);
    const memory = Number(resource.Properties?.MemorySize ?? globals.MemorySize ?? 128);
    functions.set(name, {
      name,
      logicalId,
      timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_TIMEOUT_SECONDS,
      memoryMb: Number.isFinite(memory) ? memory : 128,
    });
  }
  return functions;
}

/** The fake Lambda context of one invocation. */
export function lambdaContext(fn: LocalFunction, deadline: number, region: string, account: string): Context {
  const requestId = randomUUID();
  const fail = () => {
    throw new Error('the local Lambda context does not support the legacy done/fail/succeed callbacks');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.logicalId,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${fn.logicalId}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.logicalId}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

/**
 * Invokes `handler` with the event and a fresh context. At the function's timeout the returned promise
 * rejects with `Sandbox.Timedout` (the error Step Functions sees on AWS); the handler itself cannot be
 * frozen in-process, so its remaining work is left to finish or fail on its own.
 */
export async function invokeLocal(
  handler: LambdaHandler,
  event: unknown,
  fn: LocalFunction,
  env: { region: string; account: string },
): Promise<unknown> {
  const started = Date.now();
  const deadline = started + fn.timeoutSeconds * 1000;
  const context = lambdaContext(fn, deadline, env.region, env.account);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      // Lambda's own words: `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: … Error: Task timed out after 3.00 seconds"}`.
      const error = new Error(
        `RequestId: ${context.awsRequestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
      );
      error.name = 'Sandbox.Timedout';
      reject(error);
    }, deadline - started);
  });
  try {
    // A JSON round trip, like the Lambda service: the handler never shares objects with its caller.
    const payload = JSON.parse(JSON.stringify(event ?? null)) as never;
    const result = await Promise.race([handler(payload, context), timeout]);
    return result === undefined ? null : JSON.parse(JSON.stringify(result));
  } finally {
    clearTimeout(timer);
  }
}
