/**
 * AWS settings shared by the commands: `--region` and `--profile` go to every client (the SDK's default
 * provider chain then finds the credentials, SSO profiles included), and the stack's resources come from
 * `--stack NAME`'s CloudFormation outputs, with environment variables and flags as overrides.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { describeError } from '#lib/errors.ts';
import { CliError, EXIT } from './exit-codes.ts';

/** The global options every command sees. */
export interface GlobalOptions {
  region?: string;
  profile?: string;
  stack?: string;
}

/** What a client constructor takes from the global options. */
export interface ClientConfig {
  region?: string;
  profile?: string;
}

/** The client configuration for `--region` and `--profile` (unset: the SDK's default chain). */
export function clientConfig(options: GlobalOptions): ClientConfig {
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  };
}

/** This stack's resources that the CLI needs. */
export interface StackResources {
  stateMachineArn?: string;
  bucket?: string;
}

/** The CloudFormation outputs of the stack (template.yaml's Outputs) that name them. */
export const STACK_OUTPUTS = { stateMachineArn: 'StateMachineArn', bucket: 'OutputBucketName' } as const;

/**
 * Reads the stack's outputs; a missing stack names the stack and the region. The CloudFormation client loads
 * here, not at start-up: only `--stack` needs it.
 */
export async function stackResources(
  stack: string,
  config: ClientConfig,
  given?: CloudFormationClient,
): Promise<StackResources> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = given ?? new CloudFormationClient(config);
  try {
    const response = await client.send(new DescribeStacksCommand({ StackName: stack }));
    const outputs = new Map(
      (response.Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
    );
    const found: StackResources = {};
    const arn = outputs.get(STACK_OUTPUTS.stateMachineArn);
    const bucket = outputs.get(STACK_OUTPUTS.bucket);
    if (arn) found.stateMachineArn = arn;
    if (bucket) found.bucket = bucket;
    return found;
  } catch (error) {
    const { name, message } = describeError(error);
    throw new CliError(
      `--stack ${JSON.stringify(stack)}: could not read its outputs (${name}: ${message}); check the stack name, --region and --profile`,
      EXIT.aws,
    );
  } finally {
    client.destroy();
  }
}

/**
 * Resolves the state machine and the bucket: a flag wins, then the environment (STATE_MACHINE_ARN,
 * OUTPUT_BUCKET), then the stack's outputs. `need` names what the command cannot do without.
 */
export async function resolveResources(
  options: GlobalOptions & { stateMachineArn?: string; bucket?: string },
  need: readonly (keyof StackResources)[],
  readStack: (stack: string) => Promise<StackResources> = (stack) =>
    stackResources(stack, clientConfig(options)),
): Promise<StackResources> {
  const resolved: StackResources = {};
  const arn = options.stateMachineArn ?? process.env.STATE_MACHINE_ARN;
  const bucket = options.bucket ?? process.env.OUTPUT_BUCKET;
  if (arn) resolved.stateMachineArn = arn;
  if (bucket) resolved.bucket = bucket;
  const missing = need.filter((key) => resolved[key] === undefined);
  if (missing.length > 0 && options.stack) {
    const fromStack = await readStack(options.stack);
    for (const key of missing) {
      const value = fromStack[key];
      if (value !== undefined) resolved[key] = value;
    }
  }
  for (const key of need) {
    if (resolved[key] !== undefined) continue;
    const how =
      key === 'stateMachineArn'
        ? '--stack NAME (the deployed stack), --state-machine-arn ARN or STATE_MACHINE_ARN'
        : '--stack NAME (the deployed stack), --bucket NAME or OUTPUT_BUCKET';
    throw new CliError(
      `no ${key === 'stateMachineArn' ? 'state machine' : 'output bucket'}${options.stack ? ` in stack ${JSON.stringify(options.stack)}'s outputs` : ''}: pass ${how}`,
      EXIT.usage,
    );
  }
  return resolved;
}

/** Turns an AWS SDK error into a CliError that names the call and the resource. */
export function awsError(action: string, resource: string, error: unknown): CliError {
  if (error instanceof CliError) return error;
  const { name, message } = describeError(error);
  return new CliError(`${action} ${resource}: ${name}: ${message}`, EXIT.aws);
}
