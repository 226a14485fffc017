/**
 * ECS ExecuteCommand errors → the Step Functions contract. Each ECS exception surfaces under its own
 * name (ErrorEquals matches it; the names are written out, never derived from classes) with a message
 * that tells the operator what to check. Untrusted values are JSON-quoted in messages.
 */

/** The ECS exception names that pass through under their own name. */
export const ECS_ERROR_NAMES = [
  'AccessDeniedException',
  'ClientException',
  'ClusterNotFoundException',
  'InvalidParameterException',
  'ServerException',
  'TargetNotConnectedException',
  'ThrottlingException',
] as const;

export type EcsErrorName = (typeof ECS_ERROR_NAMES)[number];

/** What the failed call asked for (named in the messages). */
export interface ExecParameters {
  cluster: string;
  task: string;
  container: string;
  /** The IAM action of the failed call; ecs:ExecuteCommand unless given. */
  action?: 'ecs:ExecuteCommand' | 'ecs:DescribeClusters' | 'ecs:DescribeTasks';
}

/** An ECS error with the operator's explanation; `name` is the ECS exception name. */
export class EcsExecError extends Error {
  readonly ecsMessage: string;
  constructor(name: EcsErrorName, message: string, ecsMessage: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
    this.ecsMessage = ecsMessage;
  }
}

/** The container has no /bin/sh (distroless or scratch image): the catalog scripts cannot run there. */
export class ContainerShellNotFoundError extends Error {
  constructor(container: string, options?: ErrorOptions) {
    super(
      `container ${JSON.stringify(container)} has no /bin/sh, so no diagnostic script can run in it: add a POSIX ` +
        'shell to the image (e.g. busybox), or target another container of the task',
      options,
    );
    this.name = 'ContainerShellNotFoundError';
  }
}

function advice(name: EcsErrorName, p: ExecParameters): string {
  const where = `cluster ${JSON.stringify(p.cluster)}, task ${JSON.stringify(p.task)}, container ${JSON.stringify(p.container)}`;
  const action = p.action ?? 'ecs:ExecuteCommand';
  if (action !== 'ecs:ExecuteCommand' && name === 'AccessDeniedException') {
    return (
      `${action} was denied for cluster ${JSON.stringify(p.cluster)}: check the function role allows ${action} ` +
      'on that cluster (and its tasks) in this account and region, and that any ecs:cluster condition matches it'
    );
  }
  if (
    action !== 'ecs:ExecuteCommand' &&
    (name === 'ClientException' || name === 'InvalidParameterException')
  ) {
    const task = p.task === '-' ? '' : `, task ${JSON.stringify(p.task)}`;
    return (
      `${action} failed for cluster ${JSON.stringify(p.cluster)}${task}: check the cluster name or ARN and the task ARN, ` +
      'and that the task belongs to that cluster in the account and region the function runs in'
    );
  }
  switch (name) {
    case 'AccessDeniedException':
      return (
        `ecs:ExecuteCommand was denied for ${where}. Check the function role's policy allows ecs:ExecuteCommand on ` +
        'both the cluster and the task, and that every IAM condition key in it matches these parameters: ' +
        `ecs:cluster (the cluster ARN of ${JSON.stringify(p.cluster)}), ecs:task (the task ARN), ` +
        `ecs:container-name (${JSON.stringify(p.container)}) and any aws:ResourceTag/<key> on the cluster or task`
      );
    case 'ClientException':
      return `ECS rejected the ExecuteCommand request for ${where}: check the task and container exist in that cluster and the caller may use them`;
    case 'ClusterNotFoundException':
      return `cluster ${JSON.stringify(p.cluster)} was not found: check its name or ARN, the account and the region the function runs in`;
    case 'InvalidParameterException':
      return (
        `ExecuteCommand was refused for ${where}: execute command may not be enabled on the task ` +
        '(enableExecuteCommand must be true when the task starts: update the service and force a new deployment), ' +
        'the ExecuteCommandAgent may not be running in the container yet, or the container name may be wrong'
      );
    case 'ServerException':
      return `ECS had a server error running ${action} for ${where}; the state machine retries it`;
    case 'TargetNotConnectedException':
      return (
        `the ExecuteCommand agent of ${where} is not connected to Session Manager. The three usual causes: ` +
        '(1) the task role lacks ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and ' +
        'OpenDataChannel; (2) the task has no network path to ssmmessages.<region>.amazonaws.com on port 443 ' +
        '(no NAT gateway or ssmmessages VPC endpoint, or a security group/NACL blocks it); ' +
        '(3) the agent has not started yet or failed to start (a task that just started, or a read-only root ' +
        'filesystem without the agent volumes). The state machine retries with backoff'
      );
    case 'ThrottlingException':
      return `ECS throttled ${action} for ${where}; the state machine retries with backoff`;
  }
}

function isEcsErrorName(name: string): name is EcsErrorName {
  return (ECS_ERROR_NAMES as readonly string[]).includes(name);
}

/**
 * Maps an error from an ECS call to the contract: a known ECS exception becomes an EcsExecError with the
 * same name and an explanatory message (AWS's own message kept at the end, the original as cause); any
 * other error is returned unchanged.
 */
export function mapEcsError(error: unknown, parameters: ExecParameters): unknown {
  if (!(error instanceof Error)) return error;
  const name =
    error.name === 'ThrottledException' || error.name === 'Throttling' ? 'ThrottlingException' : error.name;
  if (!isEcsErrorName(name)) return error;
  return new EcsExecError(
    name,
    `${advice(name, parameters)}. ECS said: ${JSON.stringify(error.message)}`,
    error.message,
    {
      cause: error,
    },
  );
}

/**
 * An AccessDeniedException from KMS during the session handshake means the role may not use the cluster's
 * ExecuteCommand key: the message says which key and how to grant it; other errors are returned unchanged.
 */
export function mapSessionKmsError(error: unknown, kmsKeyId: string, parameters: ExecParameters): unknown {
  if (!(error instanceof Error) || error.name !== 'AccessDeniedException') return error;
  return new EcsExecError(
    'AccessDeniedException',
    `the ECS Exec session of cluster ${JSON.stringify(parameters.cluster)}, task ${JSON.stringify(parameters.task)} ` +
      `is encrypted with KMS key ${JSON.stringify(kmsKeyId)}; the function role needs kms:GenerateDataKey on it: ` +
      `deploy with the ExecCommandKmsKeyArn parameter set to that key. KMS said: ${JSON.stringify(error.message)}`,
    error.message,
    { cause: error },
  );
}

const NO_SHELL =
  /(?:exec(?:utable file not found| failed)[^\n]*\/bin\/sh|"\/bin\/sh": (?:stat \/bin\/sh: )?no such file or directory|\/bin\/sh: (?:not found|no such file or directory)|no such file or directory: \/bin\/sh)/i;

/** True when the first output of a session says /bin/sh could not be started. */
export function looksLikeMissingShell(head: Buffer | string): boolean {
  return NO_SHELL.test(typeof head === 'string' ? head : head.toString('utf8'));
}

/** The session was cut (deadline or abort) before a single byte of output: nothing worth storing arrived. */
export class SessionNoOutputError extends Error {
  constructor(container: string, options?: ErrorOptions) {
    super(
      `the session in container ${JSON.stringify(container)} reached the run's deadline without a byte of output: ` +
        'the agent did not start the command in time (a slow or overloaded agent), or the command printed nothing; ' +
        'nothing was stored. Check the ExecuteCommand agent logs in the container (/var/log/amazon/ssm/)',
      options,
    );
    this.name = 'SessionNoOutputError';
  }
}

/**
 * The capture checks run-diagnostic applies: no exit status, no truncation and a "no /bin/sh" message; or a
 * session cut at its deadline with no output at all.
 */
export function missingShellCheck(container: string) {
  return (state: { exitCode: number | null; truncated: boolean; head: Buffer }): void => {
    if (state.exitCode === null && !state.truncated && looksLikeMissingShell(state.head)) {
      throw new ContainerShellNotFoundError(container);
    }
    if (state.exitCode === null && state.truncated && state.head.length === 0) {
      throw new SessionNoOutputError(container);
    }
  };
}
