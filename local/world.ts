/**
 * The sandbox's world: clusters, services, tasks, containers and alarms, read from a JSON file
 * (local/world.json by default) and validated, so a typo in the file fails with the field named.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, 'letters, digits, - and _ only');
const tags = z.record(z.string(), z.string()).default({});

const containerSchema = z.object({
  name,
  image: z.string().default('public.ecr.aws/docker/library/busybox:latest'),
  /** Defaults to `<taskId>-<stable number>` like Fargate's. */
  runtimeId: z.string().optional(),
  lastStatus: z.enum(['PENDING', 'RUNNING', 'STOPPED']).default('RUNNING'),
  /** The ExecuteCommandAgent's lastStatus; anything but RUNNING makes ExecuteCommand fail. */
  agentStatus: z.enum(['PENDING', 'RUNNING', 'STOPPED']).default('RUNNING'),
  /** `essential` in the task definition (sidecars such as log routers are often not). */
  essential: z.boolean().default(true),
  /** Environment of the local process the agent emulator runs for this container. */
  env: z.record(z.string(), z.string()).default({}),
});

const taskSchema = z.object({
  id: z.string().regex(/^[a-f0-9]{32}$/, 'a task id is 32 lowercase hex digits'),
  service: name.optional(),
  availabilityZone: z.string().default('us-east-1a'),
  lastStatus: z.enum(['PROVISIONING', 'PENDING', 'RUNNING', 'STOPPED']).default('RUNNING'),
  enableExecuteCommand: z.boolean().default(true),
  taskDefinition: z.string().optional(),
  launchType: z.enum(['FARGATE', 'EC2', 'EXTERNAL']).default('FARGATE'),
  /** Fargate platform version DescribeTasks reports. */
  platformVersion: z.string().default('1.4.0'),
  /** EC2 only: the container instance's ECS agent version (DescribeContainerInstances). */
  agentVersion: z.string().default('1.89.0'),
  /** The subnet of the task's ENI (`network.vpcs[].subnets[].id`); without one the task has no ENI. */
  subnet: z.string().optional(),
  /** A task-level override of the task role (a name in `roles`, or one that does not exist). */
  taskRoleOverride: name.optional(),
  /** The exec agent never connects: ExecuteCommand fails with TargetNotConnectedException every time. */
  neverConnects: z.boolean().default(false),
  tags,
  containers: z.array(containerSchema).min(1),
});

const serviceSchema = z.object({
  name,
  taskDefinition: z.string(),
  enableExecuteCommand: z.boolean().default(true),
  launchType: z.enum(['FARGATE', 'EC2', 'EXTERNAL']).default('FARGATE'),
  tags,
});

const clusterSchema = z.object({
  name,
  /** executeCommandConfiguration.kmsKeyId: when set, sessions do the KMS handshake. */
  kmsKeyId: z.string().optional(),
  /** executeCommandConfiguration logging (DEFAULT when absent), in ECS's own field names. */
  execLogging: z
    .object({
      logging: z.enum(['NONE', 'DEFAULT', 'OVERRIDE']),
      logConfiguration: z
        .object({
          cloudWatchLogGroupName: z.string().optional(),
          cloudWatchEncryptionEnabled: z.boolean().optional(),
          s3BucketName: z.string().optional(),
          s3EncryptionEnabled: z.boolean().optional(),
          s3KeyPrefix: z.string().optional(),
        })
        .strict()
        .optional(),
    })
    .strict()
    .optional(),
  tags,
  services: z.array(serviceSchema).default([]),
  tasks: z.array(taskSchema).default([]),
});

const dimension = z.object({ Name: z.string(), Value: z.string() });

const metricAlarmSchema = z
  .object({
    AlarmName: z.string().min(1),
    AlarmDescription: z.string().optional(),
    StateValue: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']).default('ALARM'),
    StateReason: z.string().default('Local sandbox alarm'),
    Namespace: z.string().optional(),
    MetricName: z.string().optional(),
    Dimensions: z.array(dimension).optional(),
    Statistic: z.string().optional(),
    Period: z.number().int().optional(),
    EvaluationPeriods: z.number().int().default(1),
    Threshold: z.number().optional(),
    ComparisonOperator: z.string().optional(),
    Metrics: z.array(z.record(z.string(), z.unknown())).optional(),
    AlarmActions: z.array(z.string()).default([]),
    tags,
  })
  .strict();

const compositeAlarmSchema = z
  .object({
    AlarmName: z.string().min(1),
    AlarmDescription: z.string().optional(),
    AlarmRule: z.string().min(1),
    StateValue: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']).default('ALARM'),
    StateReason: z.string().default('Local sandbox alarm'),
    AlarmActions: z.array(z.string()).default([]),
    tags,
  })
  .strict();

export const worldSchema = z.object({
  /**
   * Script text every ExecuteCommand runs in place of the catalog script the command carries (the
   * project's wrapper and its exit-status marker stay): lets a generated fleet of 1000 tasks run on a
   * laptop. Absent: the catalog script runs.
   */
  scriptStandIn: z.string().min(1).max(2000).optional(),
  account: z.string().regex(/^\d{12}$/, 'a 12-digit account id'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1'),
  clusters: z.array(clusterSchema).min(1),
  /** Task-definition settings by `family:revision` (containers come from the tasks that use it). */
  taskDefinitions: z
    .record(
      z.string(),
      z
        .object({
          pidMode: z.enum(['task', 'host']).optional(),
          /** The task role: a name in `roles` (or one that does not exist, for a deleted role). */
          taskRole: name.optional(),
          readonlyRootFilesystem: z.boolean().optional(),
          initProcessEnabled: z.boolean().optional(),
          /** Environment variable names set in every container definition (values are never shown). */
          environment: z.array(z.string()).optional(),
        })
        .strict(),
    )
    .default({}),
  /**
   * IAM roles for SimulatePrincipalPolicy: each allows the listed actions (globs such as `ssmmessages:*`)
   * on the listed resources (globs; default `*`), optionally only when `ecs:cluster` is one of `clusters`.
   */
  roles: z
    .record(
      name,
      z.object({
        allow: z
          .array(
            z
              .object({
                actions: z.array(z.string().min(1)).min(1),
                resources: z.array(z.string().min(1)).default(['*']),
                clusters: z.array(name).optional(),
              })
              .strict(),
          )
          .default([]),
      }),
    )
    .default({}),
  /** The role this stack's functions run as (EXEC_ROLE_ARN), a name in `roles`. */
  stackRole: name.optional(),
  /** VPCs for the EC2 emulator: interface endpoints by service (`ecs`, `ssmmessages`, ...) and subnets. */
  network: z
    .object({
      vpcs: z
        .array(
          z.object({
            id: z.string().regex(/^vpc-[a-z0-9]+$/, 'a VPC id such as vpc-0a1b2c3d'),
            endpoints: z.array(z.string()).default([]),
            subnets: z
              .array(
                z.object({
                  id: z.string().regex(/^subnet-[a-z0-9]+$/, 'a subnet id such as subnet-0a1b2c3d'),
                  availabilityZone: z.string().default('us-east-1a'),
                  /** The default route of the subnet's route table. */
                  internet: z.enum(['nat', 'igw', 'none']).default('nat'),
                }),
              )
              .default([]),
          }),
        )
        .default([]),
    })
    .default({ vpcs: [] }),
  alarms: z
    .object({
      metric: z.array(metricAlarmSchema).default([]),
      composite: z.array(compositeAlarmSchema).default([]),
    })
    .default({ metric: [], composite: [] }),
});

export type World = z.infer<typeof worldSchema>;
export type WorldCluster = World['clusters'][number];
export type WorldService = WorldCluster['services'][number];
export type WorldTask = WorldCluster['tasks'][number];
export type WorldContainer = WorldTask['containers'][number];
export type WorldMetricAlarm = World['alarms']['metric'][number];
export type WorldCompositeAlarm = World['alarms']['composite'][number];

/** The default world file, next to this module. */
export const DEFAULT_WORLD_FILE = new URL('./world.json', import.meta.url);

/** Validates a world object; the error lists every bad field by its path. */
export function parseWorld(value: unknown, source = 'world'): World {
  const result = worldSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`${source} is not a valid sandbox world:\n${issues.join('\n')}`);
  }
  checkReferences(result.data, source);
  return result.data;
}

/** Reads and validates a world JSON file. */
export function loadWorld(file: string | URL = DEFAULT_WORLD_FILE): World {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the world file ${String(file)}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`the world file ${String(file)} is not valid JSON: ${(error as Error).message}`);
  }
  return parseWorld(json, String(file));
}

function checkReferences(world: World, source: string): void {
  const problems: string[] = [];
  const clusterNames = new Set<string>();
  for (const [c, cluster] of world.clusters.entries()) {
    if (clusterNames.has(cluster.name))
      problems.push(`clusters.${c}.name: duplicate cluster ${cluster.name}`);
    clusterNames.add(cluster.name);
    const services = new Set(cluster.services.map((service) => service.name));
    const taskIds = new Set<string>();
    for (const [t, task] of cluster.tasks.entries()) {
      if (task.service !== undefined && !services.has(task.service)) {
        problems.push(
          `clusters.${c}.tasks.${t}.service: no service ${task.service} in cluster ${cluster.name}`,
        );
      }
      if (taskIds.has(task.id)) problems.push(`clusters.${c}.tasks.${t}.id: duplicate task id`);
      taskIds.add(task.id);
      const subnets = world.network.vpcs.flatMap((vpc) => vpc.subnets.map((subnet) => subnet.id));
      if (task.subnet !== undefined && !subnets.includes(task.subnet)) {
        problems.push(`clusters.${c}.tasks.${t}.subnet: no subnet ${task.subnet} in network.vpcs`);
      }
      if (task.service === undefined && task.taskDefinition === undefined) {
        problems.push(`clusters.${c}.tasks.${t}.taskDefinition: required for a task outside a service`);
      }
    }
  }
  if (world.stackRole !== undefined && world.roles[world.stackRole] === undefined) {
    problems.push(`stackRole: no role ${world.stackRole} in roles`);
  }
  if (problems.length > 0)
    throw new Error(`${source} is not a valid sandbox world:\n  ${problems.join('\n  ')}`);
}

/** ARNs of the world's resources (long ARN format, as ECS returns today). */
export function worldArns(world: Pick<World, 'account' | 'region'>) {
  const base = (service: string) => `arn:aws:${service}:${world.region}:${world.account}`;
  return {
    cluster: (cluster: string) => `${base('ecs')}:cluster/${cluster}`,
    service: (cluster: string, service: string) => `${base('ecs')}:service/${cluster}/${service}`,
    task: (cluster: string, taskId: string) => `${base('ecs')}:task/${cluster}/${taskId}`,
    container: (cluster: string, taskId: string, containerName: string) =>
      `${base('ecs')}:container/${cluster}/${taskId}/${stableUuid(`${cluster}/${taskId}/${containerName}`)}`,
    taskDefinition: (family: string) => `${base('ecs')}:task-definition/${family}`,
    alarm: (alarmName: string) => `${base('cloudwatch')}:alarm:${alarmName}`,
    role: (roleName: string) => `arn:aws:iam::${world.account}:role/${roleName}`,
    containerInstance: (cluster: string, taskId: string) =>
      `${base('ecs')}:container-instance/${cluster}/${stableUuid(`instance/${taskId}`).replace(/-/g, '')}`,
    eni: (taskId: string) => `eni-${taskId.slice(0, 17)}`,
  };
}

/** The container's runtimeId: the configured one, or `<taskId>-<10 stable digits>` like Fargate's. */
export function containerRuntimeId(task: WorldTask, container: WorldContainer): string {
  if (container.runtimeId !== undefined) return container.runtimeId;
  const digits = Number.parseInt(stableUuid(container.name).replace(/-/g, '').slice(0, 8), 16);
  return `${task.id}-${digits.toString().padStart(10, '0')}`;
}

/** A deterministic UUID-shaped string from a seed (FNV-1a based; not cryptographic). */
export function stableUuid(seed: string): string {
  let hex = '';
  let hash = 0x811c9dc5;
  for (let round = 0; hex.length < 32; round++) {
    for (const char of `${round}:${seed}`) {
      hash ^= char.charCodeAt(0);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    hex += hash.toString(16).padStart(8, '0');
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
