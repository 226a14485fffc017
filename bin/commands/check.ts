/**
 * `ecs-diag check --cluster C --task T [--container X] [--principal ARN] [--json]`: the ECS Exec
 * readiness checks for one task, as a table (or JSON). Exit 0 when nothing failed, 1 when a check
 * failed, 2 on a usage error. Honours AWS_ENDPOINT_URL_ECS / _IAM / _EC2 (the sandbox prints them).
 */
import { parseArgs } from 'node:util';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { describeError } from '#lib/errors.ts';
import { anyFailed, type ReadinessCheck, runReadinessChecks } from '#lib/readiness/index.ts';

export const description = 'ECS Exec readiness checks for one task: a table, exit 1 when any check fails';

const USAGE = `usage: ecs-diag check --cluster C --task T [--container X] [--principal ARN] [--json]

Runs the ECS Exec readiness checks (cluster, task, task role, network, caller) for one task.
--principal  the role or user ARN that calls ExecuteCommand, for the caller check (default EXEC_ROLE_ARN)
--json       the findings as JSON instead of a table
Exit codes: 0 nothing failed (warnings and "not checked" included), 1 a check failed, 2 usage error.`;

const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;

function table(checks: readonly ReadinessCheck[]): string {
  const lines = ['STATUS       CHECK                          EVIDENCE / FIX'];
  for (const check of checks) {
    lines.push(`${check.status.toUpperCase().padEnd(12)} ${check.id.padEnd(30)} ${check.evidence ?? ''}`);
    if (check.fix !== undefined && check.status !== 'pass') lines.push(`${' '.repeat(44)}fix: ${check.fix}`);
  }
  const failed = checks.filter((check) => check.status === 'fail').length;
  lines.push('', `${checks.length} checks: ${failed} failed`);
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let values: {
    cluster?: string;
    task?: string;
    container?: string;
    principal?: string;
    json?: boolean;
    help?: boolean;
  };
  try {
    values = parseArgs({
      args: argv,
      options: {
        cluster: { type: 'string' },
        task: { type: 'string' },
        container: { type: 'string' },
        principal: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`ecs-diag check: ${describeError(error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const problems: string[] = [];
  if (values.cluster === undefined || !ECS_NAME.test(values.cluster.split('/').pop() ?? '')) {
    problems.push('--cluster must name an ECS cluster (name or ARN)');
  }
  if (values.task === undefined || values.task.trim() === '' || values.task.length > 2048) {
    problems.push('--task must be a task id or ARN');
  }
  if (values.container !== undefined && !ECS_NAME.test(values.container)) {
    problems.push('--container must be a container name ([A-Za-z0-9_-])');
  }
  if (problems.length > 0) {
    process.stderr.write(`ecs-diag check: ${problems.join('; ')}\n${USAGE}\n`);
    return 2;
  }
  const principalArn = values.principal ?? process.env.EXEC_ROLE_ARN;
  const clients = { ecs: new ECSClient({}), iam: new IAMClient({}), ec2: new EC2Client({}) };
  try {
    const checks = await runReadinessChecks(clients, {
      cluster: values.cluster as string,
      task: values.task as string,
      ...(values.container !== undefined ? { container: values.container } : {}),
      ...(principalArn !== undefined && principalArn !== '' ? { principalArn } : {}),
    });
    process.stdout.write(values.json ? `${JSON.stringify({ checks }, null, 2)}\n` : `${table(checks)}\n`);
    return anyFailed(checks) ? 1 : 0;
  } finally {
    clients.ecs.destroy();
    clients.iam.destroy();
    clients.ec2.destroy();
  }
}
