/** Finding runs: executions of the state machine and their manifests in the bucket. */
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import type { Manifest } from '#lib/manifest.ts';
import { readManifest } from '#lib/run-files.ts';
import { awsError, type ClientConfig } from './aws.ts';
import { CliError, EXIT } from './exit-codes.ts';

/** One execution, as the CLI shows it. */
export interface RunRef {
  executionArn: string;
  name: string;
  status: string;
  startDate: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
}

/** The execution ARN for RUN: an execution ARN as given, or a name under the state machine. */
export function executionArnOf(run: string, stateMachineArn: string | undefined): string {
  if (run.startsWith('arn:')) {
    if (!/^arn:[^:]+:states:[^:]*:\d{12}:execution:[^:]+:[^:]+$/.test(run)) {
      throw new CliError(`RUN ${JSON.stringify(run)} is not a Step Functions execution ARN`, EXIT.usage);
    }
    return run;
  }
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(run)) {
    throw new CliError(
      `RUN ${JSON.stringify(run)} is not an execution name (1 to 80 of A-Z a-z 0-9 _ -) or ARN`,
      EXIT.usage,
    );
  }
  if (stateMachineArn === undefined) {
    throw new CliError(
      'a run given by name needs the state machine: pass --stack NAME or --state-machine-arn ARN',
    );
  }
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${run}`;
}

/** DescribeExecution for one run; an unknown one names the execution. */
export async function describeRun(sfn: SFNClient, executionArn: string): Promise<RunRef> {
  try {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return {
      executionArn,
      name: described.name ?? executionArn.split(':').pop() ?? '',
      status: described.status ?? 'UNKNOWN',
      startDate: described.startDate ?? new Date(0),
      ...(described.stopDate ? { stopDate: described.stopDate } : {}),
      ...(described.error ? { error: described.error } : {}),
      ...(described.cause ? { cause: described.cause } : {}),
    };
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') {
      throw new CliError(
        `no run ${JSON.stringify(executionArn.split(':').pop())} in this state machine (${executionArn})`,
        EXIT.aws,
      );
    }
    throw awsError('states:DescribeExecution', executionArn, error);
  }
}

/** The newest executions first, until `limit` or until they start before `since`. */
export async function listRuns(
  sfn: SFNClient,
  stateMachineArn: string,
  options: { since?: Date; limit: number; status?: string },
): Promise<RunRef[]> {
  const found: RunRef[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await sfn.send(
        new ListExecutionsCommand({
          stateMachineArn,
          maxResults: 100,
          ...(options.status ? { statusFilter: options.status as never } : {}),
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      for (const item of page.executions ?? []) {
        const ref = toRef(item);
        if (options.since && ref.startDate < options.since) return found;
        found.push(ref);
      }
      nextToken = page.nextToken;
    } while (nextToken && found.length < options.limit * 4);
  } catch (error) {
    throw awsError('states:ListExecutions', stateMachineArn, error);
  }
  return found;
}

function toRef(item: ExecutionListItem): RunRef {
  return {
    executionArn: item.executionArn ?? '',
    name: item.name ?? '',
    status: item.status ?? 'UNKNOWN',
    startDate: item.startDate ?? new Date(0),
    ...(item.stopDate ? { stopDate: item.stopDate } : {}),
  };
}

/** The run's manifest, or undefined while the run has not written one. */
export async function manifestOf(
  s3: S3Client,
  bucket: string,
  run: RunRef,
): Promise<{ key: string; manifest: Manifest } | undefined> {
  try {
    return await readManifest(s3, bucket, run.name, run.startDate);
  } catch (error) {
    throw awsError('s3:GetObject', `the manifest of ${run.name} in s3://${bucket}`, error);
  }
}

/** The SFN and S3 clients for the global options. */
export function clients(config: ClientConfig): { sfn: SFNClient; s3: S3Client } {
  return {
    sfn: new SFNClient(config),
    s3: new S3Client({ ...config, forcePathStyle: process.env.AWS_S3_FORCE_PATH_STYLE === 'true' }),
  };
}
