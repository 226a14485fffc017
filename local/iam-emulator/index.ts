/**
 * The IAM emulator: SimulatePrincipalPolicy (awsQuery protocol) over the world's roles. Each role
 * declares the actions it allows, on which resources, and optionally only for some clusters (the
 * `ecs:cluster` context key); anything not allowed is `implicitDeny`. Simple, but an honest evaluation:
 * the decision comes from the world's declarations, never from what the caller hopes.
 */
import {
  type AwsQueryServer,
  AwsServiceError,
  listParam,
  type QueryParams,
  startAwsQueryServer,
  structIndexes,
} from '../aws-query-server.ts';
import { type World, worldArns } from '../world.ts';

export interface IamEmulator {
  endpoint: string;
  /** Every simulation asked for: principal and actions (for tests). */
  simulations: Array<{ principal: string; actions: string[] }>;
  close(): Promise<void>;
}

function glob(pattern: string, flags = ''): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}

/** Starts the IAM emulator on 127.0.0.1. */
export async function startIamEmulator(options: { world: World; port?: number }): Promise<IamEmulator> {
  const { world } = options;
  const arns = worldArns(world);
  const simulations: IamEmulator['simulations'] = [];

  function SimulatePrincipalPolicy(params: QueryParams) {
    const principal = params.get('PolicySourceArn');
    if (principal === undefined) {
      throw new AwsServiceError(
        'ValidationError',
        '1 validation error detected: PolicySourceArn must not be null',
      );
    }
    const actions = listParam(params, 'ActionNames.member');
    if (actions.length === 0) {
      throw new AwsServiceError(
        'ValidationError',
        '1 validation error detected: ActionNames must not be empty',
      );
    }
    const resources = listParam(params, 'ResourceArns.member');
    const context = new Map<string, string[]>();
    for (const index of structIndexes(params, 'ContextEntries.member')) {
      const key = params.get(`ContextEntries.member.${index}.ContextKeyName`) ?? '';
      context.set(
        key.toLowerCase(),
        listParam(params, `ContextEntries.member.${index}.ContextKeyValues.member`),
      );
    }
    const match = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(principal);
    if (match === null) {
      throw new AwsServiceError(
        'InvalidInput',
        `Invalid ARN: ${principal} is not a role ARN of this sandbox.`,
      );
    }
    const role = match[1] === world.account ? world.roles[match[2] as string] : undefined;
    if (role === undefined) {
      throw new AwsServiceError('NoSuchEntity', `The role with name ${match[2]} cannot be found.`, 404);
    }
    simulations.push({ principal, actions });
    const clusters = context.get('ecs:cluster');
    const results = actions.flatMap((action) =>
      (resources.length > 0 ? resources : ['*']).map((resource) => {
        const missing = new Set<string>();
        const allowed = role.allow.some((statement) => {
          if (!statement.actions.some((pattern) => glob(pattern, 'i').test(action))) return false;
          if (resource !== '*' && !statement.resources.some((pattern) => glob(pattern).test(resource)))
            return false;
          if (resource === '*' && !statement.resources.includes('*')) return false;
          if (statement.clusters === undefined) return true;
          if (clusters === undefined) {
            missing.add('ecs:cluster');
            return false;
          }
          return clusters.some((value) => statement.clusters?.some((name) => value === arns.cluster(name)));
        });
        return {
          EvalActionName: action,
          EvalResourceName: resource,
          EvalDecision: allowed ? 'allowed' : 'implicitDeny',
          MatchedStatements: [],
          MissingContextValues: [...missing],
        };
      }),
    );
    return { EvaluationResults: results, IsTruncated: false };
  }

  const server: AwsQueryServer = await startAwsQueryServer({
    protocol: 'awsQuery',
    namespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
    operations: { SimulatePrincipalPolicy },
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  return { endpoint: server.endpoint, simulations, close: () => server.close() };
}
