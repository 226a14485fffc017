/**
 * The ECS API emulator: the JSON 1.1 operations the pipeline calls (DescribeClusters, DescribeServices,
 * ListServices, ListTasks, DescribeTasks, ExecuteCommand), answered from a sandbox world. Response shapes follow the
 * real API (see /work/shared/events/ecs-*.json); errors carry ECS's exception names.
 * ExecuteCommand opens a session on the agent emulator, which runs the command under a pty.
 */
import type { AgentFaults } from '../agent-emulator/index.ts';
import { shellQuote, shellSplit } from '../agent-emulator/shlex.ts';
import {
  type AwsJsonServer,
  AwsServiceError,
  decodeToken,
  encodeToken,
  integerField,
  type JsonRequest,
  startAwsJsonServer,
  stringField,
  stringListField,
} from '../aws-json-server.ts';
import {
  containerRuntimeId,
  stableUuid,
  type World,
  type WorldCluster,
  type WorldContainer,
  type WorldTask,
  worldArns,
} from '../world.ts';

/** What ExecuteCommand asks of the agent emulator (a structural subset of its SessionSpec). */
export interface ExecSessionSpec {
  command: string;
  targetId: string;
  env?: Record<string, string>;
  kms?: { keyId: string };
  faults?: AgentFaults;
}

/** The agent emulator as the ECS emulator sees it. */
export interface SessionFactory {
  createSession(spec: ExecSessionSpec): { sessionId: string; streamUrl: string; tokenValue: string };
}

/** Fault switches; all off by default. */
export interface EcsFaults {
  /** ExecuteCommand fails with TargetNotConnectedException for the first N attempts on each task (Infinity: always). */
  targetNotConnectedAttempts?: number;
  /** ExecuteCommand fails with ThrottlingException (HTTP 400, "Rate exceeded") for the first N attempts on each task. */
  throttleAttempts?: number;
  /** ExecuteCommand fails with AccessDeniedException (every task, or only the task ids listed). */
  accessDenied?: boolean | string[];
  /** The first session on each task (since the faults were set) loses its websocket after this many output messages. */
  interruptFirstSessionAfter?: number;
  /** Data-channel faults passed to every session the agent emulator opens. */
  sessionFaults?: AgentFaults;
  /** The first N List* and Describe* calls (since the faults were set) fail with ThrottlingException. */
  throttleFirstReads?: number;
  /** Replaces every ExecuteCommand's script, as the world's `scriptStandIn` does (this one wins). */
  scriptStandIn?: string;
  /** ExecuteCommand is accepted and never answered (until the emulator closes): the caller hangs. */
  hangExecuteCommand?: boolean;
}

export interface EcsEmulatorOptions {
  world: World;
  sessions: SessionFactory;
  faults?: EcsFaults;
  port?: number;
}

export interface EcsEmulator {
  endpoint: string;
  /** Every ExecuteCommand accepted, in order (for tests and the sandbox summary). */
  executions: Array<{ taskArn: string; container: string; command: string; sessionId: string }>;
  /** ExecuteCommand attempts per task id, including refused ones. */
  attempts: Map<string, number>;
  /** Calls per operation (refused and throttled ones included), since the start or the last setFaults. */
  calls: Map<string, number>;
  /** Replaces the fault switches (attempt counts and "first session" start again). */
  setFaults(faults: EcsFaults): void;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';
const EXEC_DISABLED_MESSAGE =
  'The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running. Wait and try again or run a new task with execute command enabled and try again.';
const EPOCH = 1741717329.118;

/** Starts the ECS emulator on 127.0.0.1 (port 0 unless given). */
export async function startEcsEmulator(options: EcsEmulatorOptions): Promise<EcsEmulator> {
  const { world, sessions } = options;
  let faults = options.faults ?? {};
  /** Tasks that had a session since the faults were (re)set. */
  const tasksWithSession = new Set<string>();
  const arns = worldArns(world);
  const executions: EcsEmulator['executions'] = [];
  const attempts = new Map<string, number>();

  function findCluster(request: JsonRequest): WorldCluster {
    const ref = stringField(request, 'cluster') ?? 'default';
    const name = clusterNameOf(ref);
    const cluster = world.clusters.find((candidate) => candidate.name === name);
    if (cluster === undefined) throw new AwsServiceError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  function taskIdOf(cluster: WorldCluster, ref: string): string | undefined {
    const match = /^arn:aws[a-z-]*:ecs:[^:]+:\d{12}:task\/([^/]+)\/([a-f0-9]{32})$/.exec(ref);
    if (match !== null) return match[1] === cluster.name ? match[2] : undefined;
    return /^[a-f0-9]{32}$/.test(ref) ? ref : undefined;
  }

  function includes(request: JsonRequest, value: string): boolean {
    return (stringListField(request, 'include') ?? []).includes(value);
  }

  function describeContainer(cluster: WorldCluster, task: WorldTask, container: WorldContainer) {
    const running = container.lastStatus === 'RUNNING';
    return {
      containerArn: arns.container(cluster.name, task.id, container.name),
      taskArn: arns.task(cluster.name, task.id),
      name: container.name,
      image: container.image,
      runtimeId: containerRuntimeId(task, container),
      lastStatus: container.lastStatus,
      networkBindings: [],
      networkInterfaces: [],
      healthStatus: 'UNKNOWN',
      managedAgents: execSupported(task)
        ? [
            {
              ...(container.agentStatus === 'RUNNING' ? { lastStartedAt: EPOCH + 71 } : {}),
              name: 'ExecuteCommandAgent',
              lastStatus: running ? container.agentStatus : 'STOPPED',
            },
          ]
        : [],
      cpu: '0',
    };
  }

  function describeTask(cluster: WorldCluster, task: WorldTask, withTags: boolean) {
    const family =
      task.taskDefinition ?? cluster.services.find((s) => s.name === task.service)?.taskDefinition;
    const role = task.taskRoleOverride;
    return {
      attachments:
        task.subnet === undefined
          ? []
          : [
              {
                id: stableUuid(`attachment/${task.id}`),
                type: 'ElasticNetworkInterface',
                status: 'ATTACHED',
                details: [
                  { name: 'subnetId', value: task.subnet },
                  { name: 'networkInterfaceId', value: arns.eni(task.id) },
                  { name: 'privateIPv4Address', value: '10.0.1.17' },
                ],
              },
            ],
      attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
      ...(task.launchType === 'EC2'
        ? { containerInstanceArn: arns.containerInstance(cluster.name, task.id) }
        : {}),
      availabilityZone: task.availabilityZone,
      ...(task.launchType === 'FARGATE' ? { capacityProviderName: 'FARGATE' } : {}),
      clusterArn: arns.cluster(cluster.name),
      connectivity: 'CONNECTED',
      connectivityAt: EPOCH + 5,
      containers: task.containers.map((container) => describeContainer(cluster, task, container)),
      cpu: '1024',
      createdAt: EPOCH,
      desiredStatus: task.lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
      enableExecuteCommand: task.enableExecuteCommand,
      ...(task.service !== undefined ? { group: `service:${task.service}` } : { group: `family:${family}` }),
      healthStatus: 'UNKNOWN',
      lastStatus: task.lastStatus,
      launchType: task.launchType,
      memory: '2048',
      overrides: {
        containerOverrides: task.containers.map((c) => ({ name: c.name })),
        ...(role !== undefined ? { taskRoleArn: arns.role(role) } : {}),
      },
      ...(task.launchType === 'FARGATE' ? { platformVersion: task.platformVersion } : {}),
      platformFamily: 'Linux',
      startedAt: EPOCH + 66,
      ...(task.service !== undefined ? { startedBy: 'ecs-svc/4728196305817243590' } : {}),
      ...(withTags ? { tags: toTagList(task.tags) } : {}),
      taskArn: arns.task(cluster.name, task.id),
      taskDefinitionArn: arns.taskDefinition(family ?? 'unknown:1'),
      version: 4,
      ephemeralStorage: { sizeInGiB: 20 },
    };
  }

  /** The task definition `family:revision` of a task. */
  function definitionOf(cluster: WorldCluster, task: WorldTask): string {
    return (
      task.taskDefinition ??
      cluster.services.find((s) => s.name === task.service)?.taskDefinition ??
      'unknown:1'
    );
  }

  const operations = {
    DescribeContainerInstances(request: JsonRequest) {
      const cluster = findCluster(request);
      const refs = stringListField(request, 'containerInstances');
      if (refs === undefined || refs.length === 0) {
        throw new AwsServiceError('InvalidParameterException', 'containerInstances cannot be empty.');
      }
      if (refs.length > 100) {
        throw new AwsServiceError('InvalidParameterException', 'containerInstances: at most 100 items');
      }
      const containerInstances = [];
      const failures = [];
      for (const ref of refs) {
        const task = cluster.tasks.find(
          (candidate) =>
            candidate.launchType === 'EC2' &&
            [
              arns.containerInstance(cluster.name, candidate.id),
              arns.containerInstance(cluster.name, candidate.id).split('/').pop(),
            ].includes(ref),
        );
        if (task === undefined) {
          failures.push({ arn: ref, reason: 'MISSING' });
          continue;
        }
        containerInstances.push({
          containerInstanceArn: arns.containerInstance(cluster.name, task.id),
          ec2InstanceId: `i-${task.id.slice(0, 17)}`,
          version: 12,
          versionInfo: {
            agentVersion: task.agentVersion,
            agentHash: 'f1c6e2a',
            dockerVersion: 'DockerVersion: 25.0.8',
          },
          status: 'ACTIVE',
          agentConnected: true,
          runningTasksCount: 1,
          pendingTasksCount: 0,
          registeredAt: EPOCH - 86_400,
        });
      }
      return { containerInstances, failures };
    },

    DescribeTaskDefinition(request: JsonRequest) {
      const ref = stringField(request, 'taskDefinition');
      if (ref === undefined)
        throw new AwsServiceError('InvalidParameterException', 'taskDefinition is required.');
      const wanted = ref.startsWith('arn:') ? (ref.split('/').pop() ?? ref) : ref;
      const users = world.clusters.flatMap((cluster) =>
        cluster.tasks.filter((task) => {
          const id = definitionOf(cluster, task);
          return id === wanted || id.split(':')[0] === wanted;
        }),
      );
      const first = users[0];
      const cluster = world.clusters.find(
        (candidate) => first !== undefined && candidate.tasks.includes(first),
      );
      if (first === undefined || cluster === undefined) {
        throw new AwsServiceError('ClientException', 'Unable to describe task definition.');
      }
      const id = definitionOf(cluster, first);
      const [family = id, revision = '1'] = id.split(':');
      const settings = world.taskDefinitions[id] ?? {};
      return {
        taskDefinition: {
          taskDefinitionArn: arns.taskDefinition(id),
          ...(settings.taskRole !== undefined ? { taskRoleArn: arns.role(settings.taskRole) } : {}),
          containerDefinitions: first.containers.map((container) => ({
            name: container.name,
            image: container.image,
            cpu: 0,
            essential: container.essential,
            ...(settings.readonlyRootFilesystem !== undefined
              ? { readonlyRootFilesystem: settings.readonlyRootFilesystem }
              : {}),
            ...(settings.initProcessEnabled !== undefined
              ? { linuxParameters: { initProcessEnabled: settings.initProcessEnabled } }
              : {}),
            environment: (settings.environment ?? []).map((variable) => ({
              name: variable,
              value: 'local-placeholder',
            })),
            mountPoints: [],
            volumesFrom: [],
            portMappings: [],
          })),
          family,
          revision: Number(revision),
          volumes: [],
          status: 'ACTIVE',
          networkMode: 'awsvpc',
          ...(settings.pidMode !== undefined ? { pidMode: settings.pidMode } : {}),
          requiresCompatibilities: [first.launchType],
          compatibilities: ['EC2', 'FARGATE'],
          cpu: '1024',
          memory: '2048',
          registeredAt: EPOCH - 3600,
        },
        ...(includes(request, 'TAGS') ? { tags: [] } : {}),
      };
    },

    DescribeClusters(request: JsonRequest) {
      const refs = stringListField(request, 'clusters') ?? ['default'];
      if (refs.length > 100)
        throw new AwsServiceError('InvalidParameterException', 'clusters: at most 100 items');
      const clusters = [];
      const failures = [];
      for (const ref of refs) {
        const cluster = world.clusters.find((candidate) => candidate.name === clusterNameOf(ref));
        if (cluster === undefined) {
          failures.push({ arn: ref.startsWith('arn:') ? ref : arns.cluster(ref), reason: 'MISSING' });
          continue;
        }
        const tasks = cluster.tasks.filter((task) => task.lastStatus !== 'STOPPED');
        clusters.push({
          clusterArn: arns.cluster(cluster.name),
          clusterName: cluster.name,
          ...(includes(request, 'CONFIGURATIONS')
            ? {
                configuration: {
                  executeCommandConfiguration: {
                    ...(cluster.kmsKeyId !== undefined ? { kmsKeyId: cluster.kmsKeyId } : {}),
                    logging: cluster.execLogging?.logging ?? 'DEFAULT',
                    ...(cluster.execLogging?.logConfiguration !== undefined
                      ? { logConfiguration: cluster.execLogging.logConfiguration }
                      : {}),
                  },
                },
              }
            : {}),
          status: 'ACTIVE',
          registeredContainerInstancesCount: 0,
          runningTasksCount: tasks.filter((task) => task.lastStatus === 'RUNNING').length,
          pendingTasksCount: tasks.filter((task) => task.lastStatus !== 'RUNNING').length,
          activeServicesCount: cluster.services.length,
          statistics: [],
          tags: includes(request, 'TAGS') ? toTagList(cluster.tags) : [],
          settings: includes(request, 'SETTINGS') ? [{ name: 'containerInsights', value: 'enhanced' }] : [],
          capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
          defaultCapacityProviderStrategy: [],
        });
      }
      return { clusters, failures };
    },

    DescribeServices(request: JsonRequest) {
      const cluster = findCluster(request);
      const refs = stringListField(request, 'services');
      if (refs === undefined || refs.length === 0) {
        throw new AwsServiceError('InvalidParameterException', 'Services cannot be empty.');
      }
      if (refs.length > 10) {
        throw new AwsServiceError('InvalidParameterException', 'services: at most 10 services per call');
      }
      const services = [];
      const failures = [];
      for (const ref of refs) {
        const service = cluster.services.find((candidate) => candidate.name === serviceNameOf(ref));
        if (service === undefined) {
          failures.push({
            arn: ref.startsWith('arn:') ? ref : arns.service(cluster.name, ref),
            reason: 'MISSING',
          });
          continue;
        }
        const tasks = cluster.tasks.filter((task) => task.service === service.name);
        const running = tasks.filter((task) => task.lastStatus === 'RUNNING').length;
        services.push({
          serviceArn: arns.service(cluster.name, service.name),
          serviceName: service.name,
          clusterArn: arns.cluster(cluster.name),
          loadBalancers: [],
          serviceRegistries: [],
          status: 'ACTIVE',
          desiredCount: tasks.filter((task) => task.lastStatus !== 'STOPPED').length,
          runningCount: running,
          pendingCount: tasks.filter((task) => task.lastStatus === 'PENDING').length,
          launchType: service.launchType,
          platformVersion: 'LATEST',
          platformFamily: 'Linux',
          taskDefinition: arns.taskDefinition(service.taskDefinition),
          deployments: [],
          events: [],
          createdAt: 1730817082.604,
          placementConstraints: [],
          placementStrategy: [],
          schedulingStrategy: 'REPLICA',
          deploymentController: { type: 'ECS' },
          enableECSManagedTags: true,
          propagateTags: 'NONE',
          enableExecuteCommand: service.enableExecuteCommand,
          ...(includes(request, 'TAGS') ? { tags: toTagList(service.tags) } : {}),
        });
      }
      return { services, failures };
    },

    ListServices(request: JsonRequest) {
      const cluster = findCluster(request);
      const maxResults = integerField(request, 'maxResults', { min: 1, max: 100 }) ?? 10;
      for (const field of ['launchType', 'schedulingStrategy', 'resourceManagementType']) {
        if (request[field] !== undefined) {
          throw new AwsServiceError(
            'InvalidParameterException',
            `ListServices ${field} is not emulated locally`,
          );
        }
      }
      const offset = decodeToken(stringField(request, 'nextToken'));
      const page = cluster.services.slice(offset, offset + maxResults);
      const next =
        offset + maxResults < cluster.services.length ? encodeToken(offset + maxResults) : undefined;
      return {
        serviceArns: page.map((service) => arns.service(cluster.name, service.name)),
        ...(next !== undefined ? { nextToken: next } : {}),
      };
    },

    ListTasks(request: JsonRequest) {
      const cluster = findCluster(request);
      const serviceName = stringField(request, 'serviceName');
      const family = stringField(request, 'family');
      const desiredStatus = stringField(request, 'desiredStatus') ?? 'RUNNING';
      if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desiredStatus)) {
        throw new AwsServiceError(
          'InvalidParameterException',
          'desiredStatus must be RUNNING, PENDING or STOPPED',
        );
      }
      const maxResults = integerField(request, 'maxResults', { min: 1, max: 100 }) ?? 100;
      const launchType = stringField(request, 'launchType');
      for (const field of ['containerInstance', 'startedBy']) {
        if (request[field] !== undefined) {
          throw new AwsServiceError(
            'InvalidParameterException',
            `ListTasks ${field} is not emulated locally`,
          );
        }
      }
      if (serviceName !== undefined && !cluster.services.some((s) => s.name === serviceNameOf(serviceName))) {
        throw new AwsServiceError('ServiceNotFoundException', 'Service not found.');
      }
      const matching = cluster.tasks.filter((task) => {
        const taskDesired = task.lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING';
        if (desiredStatus === 'PENDING' ? task.lastStatus !== 'PENDING' : taskDesired !== desiredStatus)
          return false;
        if (serviceName !== undefined && task.service !== serviceNameOf(serviceName)) return false;
        if (launchType !== undefined && task.launchType !== launchType) return false;
        if (family !== undefined) {
          const taskFamily = (
            task.taskDefinition ?? cluster.services.find((s) => s.name === task.service)?.taskDefinition
          )?.split(':')[0];
          if (taskFamily !== family) return false;
        }
        return true;
      });
      const offset = decodeToken(stringField(request, 'nextToken'));
      const page = matching.slice(offset, offset + maxResults);
      const next = offset + maxResults < matching.length ? encodeToken(offset + maxResults) : undefined;
      return {
        taskArns: page.map((task) => arns.task(cluster.name, task.id)),
        ...(next !== undefined ? { nextToken: next } : {}),
      };
    },

    DescribeTasks(request: JsonRequest) {
      const cluster = findCluster(request);
      const refs = stringListField(request, 'tasks');
      if (refs === undefined || refs.length === 0) {
        throw new AwsServiceError('InvalidParameterException', 'Tasks cannot be empty.');
      }
      if (refs.length > 100) {
        throw new AwsServiceError('InvalidParameterException', 'tasks: at most 100 tasks per call');
      }
      const tasks = [];
      const failures = [];
      for (const ref of refs) {
        const id = taskIdOf(cluster, ref);
        const task = id === undefined ? undefined : cluster.tasks.find((candidate) => candidate.id === id);
        if (task === undefined) {
          failures.push({
            arn: ref.startsWith('arn:') ? ref : arns.task(cluster.name, ref),
            reason: 'MISSING',
          });
          continue;
        }
        tasks.push(describeTask(cluster, task, includes(request, 'TAGS')));
      }
      return { tasks, failures };
    },

    ExecuteCommand(request: JsonRequest) {
      const command = stringField(request, 'command');
      const taskRef = stringField(request, 'task');
      if (command === undefined || command.trim() === '') {
        throw new AwsServiceError('InvalidParameterException', 'command must be a non-empty string.');
      }
      if (taskRef === undefined) throw new AwsServiceError('InvalidParameterException', 'task is required.');
      if (request.interactive !== true) {
        throw new AwsServiceError(
          'InvalidParameterException',
          'Interactive is the only mode supported currently.',
        );
      }
      const cluster = findCluster(request);
      const id = taskIdOf(cluster, taskRef);
      const task = id === undefined ? undefined : cluster.tasks.find((candidate) => candidate.id === id);
      if (task === undefined) {
        throw new AwsServiceError(
          'InvalidParameterException',
          `The task ${taskRef} was not found in the cluster.`,
        );
      }
      const attempt = (attempts.get(task.id) ?? 0) + 1;
      attempts.set(task.id, attempt);
      if (attempt <= (faults.throttleAttempts ?? 0)) {
        throw new AwsServiceError('ThrottlingException', 'Rate exceeded');
      }
      if (faults.hangExecuteCommand === true) return new Promise<never>(() => undefined);
      const denied = faults.accessDenied;
      if (denied === true || (Array.isArray(denied) && denied.includes(task.id))) {
        throw new AwsServiceError(
          'AccessDeniedException',
          `User: arn:aws:sts::${world.account}:assumed-role/ecs-alarm-responder-role/local is not authorized to perform: ecs:ExecuteCommand on resource: ${arns.cluster(cluster.name)} because no identity-based policy allows the ecs:ExecuteCommand action`,
        );
      }
      const containerName = stringField(request, 'container');
      let container: WorldContainer | undefined;
      if (containerName === undefined) {
        if (task.containers.length > 1) {
          throw new AwsServiceError(
            'InvalidParameterException',
            'The task has more than one container; specify the container name.',
          );
        }
        container = task.containers[0];
      } else {
        container = task.containers.find((candidate) => candidate.name === containerName);
      }
      if (container === undefined) {
        throw new AwsServiceError(
          'InvalidParameterException',
          `The container ${containerName} was not found in the task.`,
        );
      }
      if (task.lastStatus !== 'RUNNING' || container.lastStatus !== 'RUNNING') {
        throw new AwsServiceError(
          'InvalidParameterException',
          'The task or container is not in RUNNING state.',
        );
      }
      if (!execSupported(task) || container.agentStatus !== 'RUNNING') {
        throw new AwsServiceError('InvalidParameterException', EXEC_DISABLED_MESSAGE);
      }
      if (task.neverConnects || attempt <= (faults.targetNotConnectedAttempts ?? 0)) {
        throw new AwsServiceError(
          'TargetNotConnectedException',
          'The execute command failed due to an internal error. Try again later.',
        );
      }
      const taskArn = arns.task(cluster.name, task.id);
      const firstSession = !tasksWithSession.has(taskArn);
      tasksWithSession.add(taskArn);
      const sessionFaults =
        firstSession && faults.interruptFirstSessionAfter !== undefined
          ? { ...faults.sessionFaults, dropConnectionAfterMessages: faults.interruptFirstSessionAfter }
          : faults.sessionFaults;
      const standIn = faults.scriptStandIn ?? world.scriptStandIn;
      const session = sessions.createSession({
        command: standIn === undefined ? command : withScriptStandIn(command, standIn),
        targetId: `ecs:${cluster.name}_${task.id}_${containerRuntimeId(task, container)}`,
        env: container.env,
        ...(cluster.kmsKeyId !== undefined ? { kms: { keyId: cluster.kmsKeyId } } : {}),
        ...(sessionFaults !== undefined ? { faults: sessionFaults } : {}),
      });
      executions.push({ taskArn, container: container.name, command, sessionId: session.sessionId });
      return {
        clusterArn: arns.cluster(cluster.name),
        containerArn: arns.container(cluster.name, task.id, container.name),
        containerName: container.name,
        interactive: true,
        session,
        taskArn,
      };
    },
  };

  const calls = new Map<string, number>();
  let reads = 0;
  const counted = Object.fromEntries(
    Object.entries(operations).map(([name, operation]) => [
      name,
      (request: JsonRequest) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        if (/^(List|Describe)/.test(name)) {
          reads += 1;
          if (reads <= (faults.throttleFirstReads ?? 0)) {
            throw new AwsServiceError('ThrottlingException', 'Rate exceeded');
          }
        }
        return (operation as (request: JsonRequest) => unknown)(request);
      },
    ]),
  );

  const server: AwsJsonServer = await startAwsJsonServer({
    targetPrefix: TARGET_PREFIX,
    jsonVersion: '1.1',
    operations: counted,
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  return {
    endpoint: server.endpoint,
    executions,
    attempts,
    calls,
    setFaults(next) {
      faults = next;
      calls.clear();
      reads = 0;
      attempts.clear();
      tasksWithSession.clear();
    },
    close: () => server.close(),
  };
}

/**
 * The command with its script argument (the last of `/bin/sh -c <wrapper> ecs-diag <script>`) replaced
 * by the world's stand-in; the wrapper, and so the exit-status marker, stay the project's own.
 */
function withScriptStandIn(command: string, standIn: string): string {
  const argv = shellSplit(command);
  if (argv.length !== 5 || argv[0] !== '/bin/sh' || argv[1] !== '-c' || argv[3] !== 'ecs-diag')
    return command;
  argv[4] = standIn;
  return argv.map(shellQuote).join(' ');
}

/** Exec works only when enabled, and on Fargate from platform version 1.4.0 (no agent before). */
function execSupported(task: WorldTask): boolean {
  if (!task.enableExecuteCommand) return false;
  if (task.launchType !== 'FARGATE' || task.platformVersion === 'LATEST') return true;
  const [major = 0, minor = 0] = task.platformVersion.split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 4);
}

function clusterNameOf(ref: string): string {
  const match = /^arn:aws[a-z-]*:ecs:[^:]+:\d{12}:cluster\/(.+)$/.exec(ref);
  return match?.[1] ?? ref;
}

function serviceNameOf(ref: string): string {
  return ref.startsWith('arn:') ? (ref.split('/').pop() ?? ref) : ref;
}

function toTagList(tags: Record<string, string>): Array<{ key: string; value: string }> {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}
