/**
 * `ecs-diag check --cluster C --task T [--container X] [--principal ARN] [--json]`: the ECS Exec readiness
 * checks for one task, as a table (or JSON). Exit 0 when nothing failed, 1 when a check failed, 2 on a
 * usage error. Honours AWS_ENDPOINT_URL_ECS / _IAM / _EC2 (the sandbox prints them).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { anyFailed, runReadinessChecks } from '#lib/readiness/index.ts';
import { clientConfig } from '../cli/aws.ts';
import { CliError, EXIT } from '../cli/exit-codes.ts';
import { json, table } from '../cli/io.ts';
import type { CheckOptions } from '../commands/check.ts';
import type { CommandContext } from '../program.ts';

const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** Runs `check`: the readiness checks as a table or JSON; exit 1 when one failed. */
export async function checkTask(options: CheckOptions, context: CommandContext): Promise<void> {
  if (!ECS_NAME.test(options.cluster.split('/').pop() ?? '')) {
    throw new CliError('--cluster must name an ECS cluster (name or ARN)');
  }
  if (options.task.trim() === '' || options.task.length > 2048) {
    throw new CliError('--task must be a task id or ARN');
  }
  if (options.container !== undefined && !ECS_NAME.test(options.container)) {
    throw new CliError('--container must be a container name ([A-Za-z0-9_-])');
  }
  const config = clientConfig(context.globals());
  const clients = { ecs: new ECSClient(config), iam: new IAMClient(config), ec2: new EC2Client(config) };
  const principalArn = options.principal ?? process.env.EXEC_ROLE_ARN;
  try {
    const checks = await runReadinessChecks(clients, {
      cluster: options.cluster,
      task: options.task,
      ...(options.container !== undefined ? { container: options.container } : {}),
      ...(principalArn !== undefined && principalArn !== '' ? { principalArn } : {}),
    });
    if (options.json) context.io.out(json({ checks }));
    else {
      context.io.out(
        table(
          ['STATUS', 'CHECK', 'EVIDENCE', 'FIX'],
          checks.map((check) => [
            check.status.toUpperCase(),
            check.id,
            check.evidence ?? '',
            check.status === 'pass' ? '' : (check.fix ?? ''),
          ]),
        ),
      );
      const failed = checks.filter((check) => check.status === 'fail').length;
      context.io.out(`${checks.length} checks: ${failed} failed`);
    }
    context.exit(anyFailed(checks) ? EXIT.notOk : EXIT.ok);
  } finally {
    clients.ecs.destroy();
    clients.iam.destroy();
    clients.ec2.destroy();
  }
}
