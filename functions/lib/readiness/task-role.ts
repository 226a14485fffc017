/**
 * The task role checks: the role is set (a task-level override wins) and exists, allows the four
 * ssmmessages channel actions, and kms:Decrypt on the cluster's exec key, all by IAM simulation.
 */

import type { Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import { fail, notChecked, notCheckedAfter, pass, type ReadinessCheck } from './checks.ts';
import { refused, simulate } from './simulate.ts';

/** The actions the exec agent calls with the task role's credentials. */
export const SSMMESSAGES_ACTIONS = [
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
];

/** The task's role: the task-level override if there is one, else the task definition's. */
export function taskRoleOf(task: Task, definition?: TaskDefinition): { arn?: string; source: string } {
  const override = task.overrides?.taskRoleArn;
  if (override !== undefined && override !== '') return { arn: override, source: 'the task override' };
  const defined = definition?.taskRoleArn;
  if (defined !== undefined && defined !== '') return { arn: defined, source: 'the task definition' };
  return { source: definition === undefined ? 'unknown (no task definition)' : 'none' };
}

/** The role checks; `kmsKeyArn` is the cluster's exec key when it has one. */
export async function taskRoleChecks(
  iam: IAMClient,
  input: { task: Task; definition?: TaskDefinition; kmsKeyArn?: string },
): Promise<ReadinessCheck[]> {
  const role = taskRoleOf(input.task, input.definition);
  if (role.arn === undefined) {
    if (input.definition === undefined) {
      return [
        notChecked('role.exists', 'the task definition could not be read (ecs:DescribeTaskDefinition)'),
        notChecked('role.ssmmessages', 'the task role is unknown'),
      ];
    }
    return [
      fail(
        'role.exists',
        'the task has no task role (taskRoleArn is not set in the task definition or an override)',
        `create a role trusted by ecs-tasks.amazonaws.com that allows ${SSMMESSAGES_ACTIONS.join(', ')}, set it as taskRoleArn and deploy a new revision`,
      ),
      notChecked('role.ssmmessages', 'there is no task role to simulate'),
    ];
  }
  let decisions: Awaited<ReturnType<typeof simulate>>;
  try {
    decisions = await simulate(iam, role.arn, SSMMESSAGES_ACTIONS, ['*']);
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchEntityException') {
      return [
        fail(
          'role.exists',
          `the task role ${role.arn} (from ${role.source}) does not exist`,
          'create the role or point taskRoleArn at an existing one, then start new tasks',
        ),
        notChecked('role.ssmmessages', 'the task role does not exist'),
      ];
    }
    return [
      notCheckedAfter('role.exists', error, 'iam:SimulatePrincipalPolicy'),
      notCheckedAfter('role.ssmmessages', error, 'iam:SimulatePrincipalPolicy'),
    ];
  }
  const checks = [pass('role.exists', `${role.arn} (from ${role.source})`)];
  const denied = refused(decisions);
  checks.push(
    denied.length === 0
      ? pass('role.ssmmessages', `${role.arn} allows ${SSMMESSAGES_ACTIONS.join(', ')}`)
      : fail(
          'role.ssmmessages',
          `${role.arn} is not allowed ${denied.join(', ')}`,
          `add a statement allowing ${SSMMESSAGES_ACTIONS.join(', ')} on Resource "*" to the task role`,
        ),
  );
  if (input.kmsKeyArn !== undefined) {
    try {
      const kms = refused(await simulate(iam, role.arn, ['kms:Decrypt'], [input.kmsKeyArn]));
      checks.push(
        kms.length === 0
          ? pass('role.exec-kms', `${role.arn} may kms:Decrypt with ${input.kmsKeyArn}`)
          : fail(
              'role.exec-kms',
              `${role.arn} is not allowed ${kms.join(', ')} on ${input.kmsKeyArn}`,
              `allow kms:Decrypt on ${input.kmsKeyArn} in the task role (and let the key policy allow the role)`,
            ),
      );
    } catch (error) {
      checks.push(notCheckedAfter('role.exec-kms', error, 'iam:SimulatePrincipalPolicy'));
    }
  }
  return checks;
}
