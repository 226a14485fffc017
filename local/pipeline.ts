/**
 * Assembles the local sandbox: the agent (data channel + SSM + KMS), ECS, S3, CloudWatch and Step Functions
 * emulators on loopback, the handler environment, and the real handlers behind the real state machine
 * definition. Used by `npm start` (local/sandbox.ts) and by the end-to-end test.
 */

import { readFileSync } from 'node:fs';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { type AgentEmulator, type AgentFaults, startAgentEmulator } from './agent-emulator/index.ts';
import { type CloudWatchEmulator, startCloudWatchEmulator } from './cloudwatch-emulator/index.ts';
import { type Ec2Emulator, startEc2Emulator } from './ec2-emulator/index.ts';
import { type EcsEmulator, type EcsFaults, startEcsEmulator } from './ecs-emulator/index.ts';
import { type EventBridgeEmulator, startEventBridgeEmulator } from './eventbridge-emulator/index.ts';
import { type IamEmulator, startIamEmulator } from './iam-emulator/index.ts';
import { invokeLocal, type LambdaHandler, type LocalFunction, loadTemplateFunctions } from './lambda.ts';
import { type LocalS3, startLocalS3 } from './s3.ts';
import { asLambdaTask, type SfnEmulator, startSfnEmulator, type TaskHandler } from './sfn-emulator/index.ts';
import { type SnsEmulator, startSnsEmulator } from './sns-emulator/index.ts';
import { type World, worldArns } from './world.ts';

const ROOT = new URL('../', import.meta.url);

/** Task state → the function folder whose handler runs it. */
export const STATE_FUNCTIONS = {
  ResolveTargets: 'resolve-targets',
  RunDiagnostic: 'run-diagnostic',
  /** The same function in the Distributed Map's child executions. */
  RunDiagnosticDistributed: 'run-diagnostic',
  WriteReport: 'write-report',
  CheckReadiness: 'check-readiness',
  /** The same function in the Distributed Map's child executions. */
  CheckReadinessDistributed: 'check-readiness',
} as const;

export const STATE_MACHINE_NAME = 'ecs-alarm-diagnostics';
export const OUTPUT_BUCKET = 'ecs-alarm-diagnostics-local-output';
/** The topic the sandbox's NotificationTopicArn names (its SNS emulator records what reaches it). */
export const NOTIFICATION_TOPIC_NAME = 'ecs-diagnostics-notifications';

/** Local retry delays (ms) instead of the definition's seconds-to-minutes backoff. */
export const LOCAL_RETRY_INTERVALS_MS: Record<keyof typeof STATE_FUNCTIONS, number> = {
  ResolveTargets: 200,
  RunDiagnostic: 1000,
  RunDiagnosticDistributed: 1000,
  WriteReport: 200,
  CheckReadiness: 200,
  CheckReadinessDistributed: 200,
};

/** The fault switches a bare `--faults` turns on. */
export const DEMO_FAULTS: { ecs: EcsFaults; session: AgentFaults } = {
  ecs: { targetNotConnectedAttempts: 2, interruptFirstSessionAfter: 20 },
  session: { seed: 20_261_126, duplicateRate: 0.15, reorderWindow: 4 },
};

/** One named fault switch of `npm start -- --faults NAME[,NAME]`. */
export interface NamedFault {
  description: string;
  ecs: EcsFaults;
}

/** The named fault switches; several combine (later names override earlier fields). */
export const NAMED_FAULTS: Record<string, NamedFault> = {
  demo: {
    description:
      'TargetNotConnected on the first 2 attempts per task, each first session dropped mid-stream, duplicated and reordered messages',
    ecs: { ...DEMO_FAULTS.ecs, sessionFaults: DEMO_FAULTS.session },
  },
  'tnc-forever': {
    description:
      'TargetNotConnectedException on every ExecuteCommand: the retries run out, the target is recorded failed',
    ecs: { targetNotConnectedAttempts: Number.POSITIVE_INFINITY },
  },
  'ecs-throttling': {
    description: 'ECS ThrottlingException on the first 2 ExecuteCommand attempts per task (retried)',
    ecs: { throttleAttempts: 2 },
  },
};

/** The ECS fault switches of a list of fault names; an unknown name is an error naming the known ones. */
export function resolveFaults(names: string[]): EcsFaults {
  let merged: EcsFaults = {};
  for (const name of names) {
    const fault = NAMED_FAULTS[name];
    if (fault === undefined || !Object.hasOwn(NAMED_FAULTS, name)) {
      throw new Error(
        `--faults: unknown fault ${JSON.stringify(name)}; known: ${Object.keys(NAMED_FAULTS).join(', ')}`,
      );
    }
    merged = { ...merged, ...fault.ecs };
  }
  return merged;
}

/** One handler call, in the order they happened. */
export interface JournalEntry {
  executionName: string;
  state: string;
  input: unknown;
  output?: unknown;
  error?: { name: string; message: string };
  ms: number;
}

export interface SandboxOptions {
  world: World;
  /** true: the `demo` faults; a list: those named switches (NAMED_FAULTS). */
  faults?: boolean | string[];
  logLevel?: string;
  templateFile?: string | URL;
  definitionFile?: string | URL;
  /** Called as each handler call ends (live progress). */
  onJournal?: (entry: JournalEntry) => void;
}

export interface Sandbox {
  world: World;
  bucket: string;
  stateMachineArn: string;
  endpoints: {
    ecs: string;
    s3: string;
    sfn: string;
    ssm: string;
    kms: string;
    cloudwatch: string;
    eventbridge: string;
    sns: string;
    iam: string;
    ec2: string;
    dataChannel: string;
  };
  /** The environment the handlers run with (also what a user exports to point the CLI at the sandbox). */
  env: Record<string, string>;
  s3: LocalS3;
  sfn: SfnEmulator;
  ecs: EcsEmulator;
  iam: IamEmulator;
  ec2: Ec2Emulator;
  cloudwatch: CloudWatchEmulator;
  agent: AgentEmulator;
  /** Completion events published on the local bus. */
  eventbridge: EventBridgeEmulator;
  /** Notifications published to the local topic. */
  sns: SnsEmulator;
  journal: JournalEntry[];
  /** Invokes a function's real handler as Lambda would (e.g. start-run with an alarm event). */
  invoke(functionName: string, event: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** Refuses to run where aws-local-stepfunctions cannot (it needs Promise.withResolvers, Node >= 22). */
export function assertNodeVersion(version: string = process.versions.node): void {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 5)) {
    throw new Error(
      `the local sandbox needs Node >= 22.5 (found ${version}); run it with \`npm start\`, which uses the project's Node 24 (node_modules/.bin/node)`,
    );
  }
}

/** Starts every emulator, sets the handler environment, loads the handlers and the state machine. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  assertNodeVersion();
  const { world } = options;
  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  };
  // Never the user's real credentials or profile: every client of this process signs with dummies.
  Object.assign(process.env, DUMMY_AWS_ENV, { AWS_REGION: world.region, AWS_DEFAULT_REGION: world.region });
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE']) {
    delete process.env[name];
  }
  try {
    const agent = await startAgentEmulator({ region: world.region });
    stoppers.push(() => agent.close());
    const s3 = await startLocalS3({ region: world.region });
    stoppers.push(() => s3.close());
    await s3.createBucket(OUTPUT_BUCKET, world.region);
    const ecs = await startEcsEmulator({
      world,
      sessions: agent,
      faults: resolveFaults(options.faults === true ? ['demo'] : options.faults || []),
    });
    stoppers.push(() => ecs.close());
    const cloudwatch: CloudWatchEmulator = await startCloudWatchEmulator({ world });
    stoppers.push(() => cloudwatch.close());
    const eventbridge = await startEventBridgeEmulator({ buses: ['default'] });
    stoppers.push(() => eventbridge.close());
    const topicArn = `arn:aws:sns:${world.region}:${world.account}:${NOTIFICATION_TOPIC_NAME}`;
    const sns = await startSnsEmulator({ topics: [topicArn] });
    stoppers.push(() => sns.close());
    const iam = await startIamEmulator({ world });
    stoppers.push(() => iam.close());
    const ec2 = await startEc2Emulator({ world });
    stoppers.push(() => ec2.close());

    const stateMachineArn = `arn:aws:states:${world.region}:${world.account}:stateMachine:${STATE_MACHINE_NAME}`;
    const env = sandboxEnv(world, {
      ecs: ecs.endpoint,
      s3: s3.endpoint,
      agent: agent.httpEndpoint,
      cloudwatch: cloudwatch.endpoint,
      eventbridge: eventbridge.endpoint,
      sns: sns.endpoint,
      topicArn,
      iam: iam.endpoint,
      ec2: ec2.endpoint,
      stateMachineArn,
      logLevel: options.logLevel ?? 'WARN',
    });
    // The handlers read their configuration at module load: the environment must be complete first.
    Object.assign(process.env, env);

    const functions = loadTemplateFunctions(options.templateFile ?? new URL('template.yaml', ROOT));
    const handlers = new Map<string, LambdaHandler>();
    for (const name of ['start-run', ...Object.values(STATE_FUNCTIONS)]) {
      handlers.set(name, await loadHandler(name));
    }
    const fnOf = (name: string): LocalFunction => {
      const fn = functions.get(name);
      if (fn === undefined) throw new Error(`template.yaml has no function for functions/${name}/`);
      return fn;
    };
    const account = { region: world.region, account: world.account };
    const invoke = async (name: string, event: unknown) => {
      const handler = handlers.get(name);
      if (handler === undefined) throw new Error(`no handler loaded for functions/${name}/`);
      return invokeLocal(handler, event, fnOf(name), account);
    };

    const journal: JournalEntry[] = [];
    const definition = loadDefinition(
      options.definitionFile ?? new URL('statemachines/diagnostics.asl.json', ROOT),
    );
    const sfn = await startSfnEmulator({
      region: world.region,
      account: world.account,
      s3: s3.client(world.region),
      stateMachines: [
        {
          name: STATE_MACHINE_NAME,
          definition,
          substitutions: { OutputBucketName: OUTPUT_BUCKET },
          retryIntervalOverrides: LOCAL_RETRY_INTERVALS_MS,
          handlers: (execution) => {
            // $$.State.RetryCount does not exist in the local interpreter: count attempts per target instead.
            const attemptsByTarget = new Map<string, number>();
            const task = (state: keyof typeof STATE_FUNCTIONS): TaskHandler =>
              asLambdaTask(async (input) => {
                let event = input;
                if (STATE_FUNCTIONS[state] === 'run-diagnostic' && isObject(input)) {
                  const key = JSON.stringify(input.target);
                  const retryCount = attemptsByTarget.get(key) ?? 0;
                  attemptsByTarget.set(key, retryCount + 1);
                  event = { ...input, retryCount };
                }
                const started = Date.now();
                const entry: JournalEntry = { executionName: execution.name, state, input: event, ms: 0 };
                try {
                  entry.output = await invoke(STATE_FUNCTIONS[state], event);
                  return entry.output;
                } catch (error) {
                  entry.error = {
                    name: (error as Error).name ?? 'Error',
                    message: (error as Error).message ?? String(error),
                  };
                  throw error;
                } finally {
                  entry.ms = Date.now() - started;
                  journal.push(entry);
                  options.onJournal?.(entry);
                }
              });
            return {
              ResolveTargets: task('ResolveTargets'),
              RunDiagnostic: task('RunDiagnostic'),
              RunDiagnosticDistributed: task('RunDiagnosticDistributed'),
              WriteReport: task('WriteReport'),
              ReportNotWritten: task('WriteReport'),
              CheckReadiness: task('CheckReadiness'),
              CheckReadinessDistributed: task('CheckReadinessDistributed'),
            };
          },
        },
      ],
    });
    stoppers.push(() => sfn.close());
    process.env.AWS_ENDPOINT_URL_SFN = sfn.endpoint;
    env.AWS_ENDPOINT_URL_SFN = sfn.endpoint;

    return {
      world,
      bucket: OUTPUT_BUCKET,
      stateMachineArn,
      endpoints: {
        ecs: ecs.endpoint,
        s3: s3.endpoint,
        sfn: sfn.endpoint,
        ssm: agent.httpEndpoint,
        kms: agent.httpEndpoint,
        cloudwatch: cloudwatch.endpoint,
        eventbridge: eventbridge.endpoint,
        sns: sns.endpoint,
        iam: iam.endpoint,
        ec2: ec2.endpoint,
        dataChannel: agent.url,
      },
      env,
      s3,
      sfn,
      ecs,
      iam,
      ec2,
      cloudwatch,
      agent,
      eventbridge,
      sns,
      journal,
      invoke,
      close: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const DUMMY_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIDLOCALSANDBOX',
  AWS_SECRET_ACCESS_KEY: 'local-sandbox-secret',
};

/** The handler environment: template variables with local values, endpoints, and dummy credentials. */
function sandboxEnv(
  world: World,
  local: {
    ecs: string;
    s3: string;
    agent: string;
    cloudwatch: string;
    eventbridge: string;
    sns: string;
    topicArn: string;
    iam: string;
    ec2: string;
    stateMachineArn: string;
    logLevel: string;
  },
): Record<string, string> {
  return {
    AWS_REGION: world.region,
    AWS_DEFAULT_REGION: world.region,
    ...DUMMY_AWS_ENV,
    AWS_ENDPOINT_URL_ECS: local.ecs,
    AWS_ENDPOINT_URL_S3: local.s3,
    AWS_S3_FORCE_PATH_STYLE: 'true',
    AWS_ENDPOINT_URL_SSM: local.agent,
    AWS_ENDPOINT_URL_KMS: local.agent,
    AWS_ENDPOINT_URL_CLOUDWATCH: local.cloudwatch,
    AWS_ENDPOINT_URL_EVENTBRIDGE: local.eventbridge,
    AWS_ENDPOINT_URL_SNS: local.sns,
    AWS_ENDPOINT_URL_IAM: local.iam,
    AWS_ENDPOINT_URL_EC2: local.ec2,
    ...(world.stackRole !== undefined ? { EXEC_ROLE_ARN: worldArns(world).role(world.stackRole) } : {}),
    OUTPUT_BUCKET,
    EVENT_BUS_NAME: 'default',
    NOTIFICATION_TOPIC_ARN: local.topicArn,
    POWERTOOLS_METRICS_NAMESPACE: 'EcsAlarmDiagnosticsLocal',
    // EMF metric lines go to stdout: shown with --verbose only.
    POWERTOOLS_METRICS_DISABLED: local.logLevel === 'INFO' ? 'false' : 'true',
    STATE_MACHINE_ARN: local.stateMachineArn,
    ALARM_NAME_PREFIX: process.env.ALARM_NAME_PREFIX ?? '',
    ALLOWED_CLUSTERS: world.clusters.map((cluster) => cluster.name).join(','),
    COOLDOWN_SECONDS: process.env.COOLDOWN_SECONDS ?? '600',
    DEFAULT_SCRIPT: process.env.DEFAULT_SCRIPT ?? 'basic',
    DEFAULT_MAX_TASKS: process.env.DEFAULT_MAX_TASKS ?? '3',
    INLINE_MAX_TARGETS: process.env.INLINE_MAX_TARGETS ?? '20',
    DEADLINE_MARGIN_MS: process.env.DEADLINE_MARGIN_MS ?? '20000',
    POWERTOOLS_LOG_LEVEL: local.logLevel,
    POWERTOOLS_SERVICE_NAME: 'ecs-alarm-diagnostics-local',
  };
}

async function loadHandler(name: string): Promise<LambdaHandler> {
  let loaded: { handler?: unknown };
  try {
    loaded = (await import(new URL(`functions/${name}/handler.ts`, ROOT).href)) as { handler?: unknown };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`functions/${name}/handler.ts failed to load (its cold start): ${reason}`, {
      cause: error,
    });
  }
  if (typeof loaded.handler !== 'function')
    throw new Error(`functions/${name}/handler.ts exports no handler`);
  return loaded.handler as LambdaHandler;
}

function loadDefinition(file: string | URL): StateMachineDefinition {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StateMachineDefinition;
  } catch (error) {
    throw new Error(`cannot read the state machine definition ${String(file)}: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
