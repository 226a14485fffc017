/**
 * The task-level readiness checks: pure functions of what DescribeTasks and DescribeTaskDefinition said
 * (and, on EC2, the container instance's agent version). resolve-targets runs these for skipped tasks.
 */
import type { Container, ContainerDefinition, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { lastArnSegment } from '../s3-keys.ts';
import { isSidecar } from '../targets/selection.ts';
import { fail, notChecked, pass, type ReadinessCheck, warn } from './checks.ts';

/** Lowest Fargate platform version with ECS Exec. */
export const MIN_FARGATE_PLATFORM = '1.4.0';
/** Lowest ECS container agent version with ECS Exec (EC2 launch type). */
export const MIN_ECS_AGENT = '1.50.2';

/** What the task-level checks look at. */
export interface TaskFacts {
  task: Task;
  /** Missing when DescribeTaskDefinition could not be read (those checks are then not checked). */
  definition?: TaskDefinition;
  /** Only this container; otherwise every non-sidecar container of the task. */
  container?: string;
  /** EC2 only: the container instance's `versionInfo.agentVersion`, or why it is unknown. */
  agentVersion?: string | { unknown: string };
}

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The containers the checks are about. */
export function checkedContainers(task: Task, container?: string): Container[] {
  const all = task.containers ?? [];
  if (container !== undefined) return all.filter((candidate) => candidate.name === container);
  const applications = all.filter((candidate) => !isSidecar(candidate));
  return applications.length > 0 ? applications : all;
}

function agentStatusOf(container: Container): string | undefined {
  return container.managedAgents?.find((agent) => agent.name === 'ExecuteCommandAgent')?.lastStatus;
}

function taskHow(task: Task): string {
  const cluster = lastArnSegment(task.clusterArn ?? 'CLUSTER');
  const service = task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
  return service !== undefined
    ? `aws ecs update-service --cluster ${cluster} --service ${service} --enable-execute-command --force-new-deployment`
    : 'run the task again with --enable-execute-command';
}

function platformCheck(facts: TaskFacts): ReadinessCheck {
  const { task } = facts;
  if (task.launchType === 'FARGATE' || task.platformVersion !== undefined) {
    const version = task.platformVersion ?? 'unknown';
    if (version === 'LATEST' || compareVersions(version, MIN_FARGATE_PLATFORM) >= 0) {
      return pass('task.platform', `Fargate platform version ${version}`);
    }
    return fail(
      'task.platform',
      `Fargate platform version ${version} is older than ${MIN_FARGATE_PLATFORM}; ECS Exec needs ${MIN_FARGATE_PLATFORM} or newer`,
      `update the service or task to platform version ${MIN_FARGATE_PLATFORM} or LATEST (--platform-version LATEST) and start new tasks`,
    );
  }
  if (task.launchType === 'EXTERNAL') {
    return notChecked('task.platform', 'ECS Anywhere (EXTERNAL) task: the agent version is not read');
  }
  const version = facts.agentVersion;
  if (version === undefined) {
    return notChecked('task.platform', 'EC2 task: the container instance agent version was not read here');
  }
  if (typeof version !== 'string') return notChecked('task.platform', version.unknown);
  if (compareVersions(version, MIN_ECS_AGENT) >= 0) {
    return pass('task.platform', `ECS container agent ${version}`);
  }
  return fail(
    'task.platform',
    `the container instance runs ECS agent ${version}; ECS Exec needs ${MIN_ECS_AGENT} or newer`,
    'update the container agent (aws ecs update-container-agent, or a current ECS-optimized AMI) and start new tasks',
  );
}

function definitionOf(facts: TaskFacts, name: string | undefined): ContainerDefinition | undefined {
  return facts.definition?.containerDefinitions?.find((entry) => entry.name === name);
}

function containerChecks(facts: TaskFacts, containers: Container[]): ReadinessCheck[] {
  const { task } = facts;
  const names = containers.map((container) => container.name ?? '?');
  const notRunning = containers
    .map((container) => [container.name ?? '?', agentStatusOf(container)] as const)
    .filter(([, status]) => status !== 'RUNNING');
  const agent =
    notRunning.length === 0
      ? pass('task.exec-agent', `ExecuteCommandAgent RUNNING in ${names.join(', ')}`)
      : fail(
          'task.exec-agent',
          `ExecuteCommandAgent ${notRunning.map(([name, status]) => `${status ?? 'absent'} in ${name}`).join(', ')}`,
          task.enableExecuteCommand === true
            ? 'the agent starts with the container: check the other findings (task role, network, read-only root filesystem), then the agent logs under /var/log/amazon/ssm/ in the container'
            : `enable ExecuteCommand (${taskHow(task)})`,
        );
  if (facts.definition === undefined) {
    const why = 'the task definition could not be read (ecs:DescribeTaskDefinition)';
    return [
      agent,
      notChecked('task.readonly-rootfs', why),
      notChecked('task.init-process', why),
      notChecked('task.aws-credentials-env', why),
    ];
  }
  const readonly = names.filter((name) => definitionOf(facts, name)?.readonlyRootFilesystem === true);
  const noInit = names.filter(
    (name) => definitionOf(facts, name)?.linuxParameters?.initProcessEnabled !== true,
  );
  const withKeys = names.flatMap((name) => {
    const defined = (definitionOf(facts, name)?.environment ?? []).map((entry) => entry.name);
    const overridden = (
      task.overrides?.containerOverrides?.find((entry) => entry.name === name)?.environment ?? []
    ).map((entry) => entry.name);
    const keys = [...new Set([...defined, ...overridden])].filter(
      (key) => key === 'AWS_ACCESS_KEY_ID' || key === 'AWS_SECRET_ACCESS_KEY',
    );
    return keys.length > 0 ? [`${name} (${keys.join(', ')})`] : [];
  });
  return [
    agent,
    readonly.length === 0
      ? pass('task.readonly-rootfs', `readonlyRootFilesystem is off in ${names.join(', ')}`)
      : fail(
          'task.readonly-rootfs',
          `readonlyRootFilesystem is true in ${readonly.join(', ')}: the exec agent cannot write its files, so it never starts`,
          'set readonlyRootFilesystem to false in the container definition (ECS Exec does not support a read-only root filesystem) and deploy a new revision',
        ),
    noInit.length === 0
      ? pass('task.init-process', `initProcessEnabled in ${names.join(', ')}`)
      : warn(
          'task.init-process',
          `initProcessEnabled is off in ${noInit.join(', ')}: processes a session starts can be left as zombies`,
          'set linuxParameters.initProcessEnabled to true in the container definition',
        ),
    withKeys.length === 0
      ? pass('task.aws-credentials-env', 'no AWS access keys in the container environment')
      : fail(
          'task.aws-credentials-env',
          `AWS access keys are set in the environment of ${withKeys.join(', ')} (values not read): the exec agent uses them instead of the task role`,
          'remove AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the container environment and grant the permissions to the task role',
        ),
  ];
}

/** The task-level checks: no AWS call of their own. */
export function taskChecks(facts: TaskFacts): ReadinessCheck[] {
  const { task } = facts;
  const checks: ReadinessCheck[] = [];
  checks.push(
    task.lastStatus === 'RUNNING'
      ? pass('task.running', 'lastStatus RUNNING')
      : fail(
          'task.running',
          `lastStatus is ${task.lastStatus ?? 'unknown'}`,
          'ExecuteCommand needs a RUNNING task: wait for it to start, or diagnose another task',
        ),
  );
  checks.push(
    task.enableExecuteCommand === true
      ? pass('task.exec-enabled', 'enableExecuteCommand is true')
      : fail(
          'task.exec-enabled',
          'the task was started with enableExecuteCommand false',
          `${taskHow(task)}; tasks started before keep it off`,
        ),
  );
  checks.push(platformCheck(facts));
  const containers = checkedContainers(task, facts.container);
  if (containers.length === 0) {
    checks.push(
      fail(
        'task.exec-agent',
        `no container named ${facts.container ?? '?'} in this task`,
        `name one of: ${(task.containers ?? []).map((c) => c.name).join(', ')}`,
      ),
    );
  } else {
    checks.push(...containerChecks(facts, containers));
  }
  if (facts.definition === undefined) {
    checks.push(notChecked('task.pid-mode', 'the task definition could not be read'));
  } else if (facts.definition.pidMode === 'task') {
    checks.push(
      warn(
        'task.pid-mode',
        'pidMode is task: the containers share one PID namespace, and only one exec session can run in it at a time',
        'diagnose one container per task (this stack does), or drop pidMode: task if you need parallel sessions',
      ),
    );
  } else {
    checks.push(pass('task.pid-mode', `pidMode ${facts.definition.pidMode ?? 'not set'}`));
  }
  return checks;
}
