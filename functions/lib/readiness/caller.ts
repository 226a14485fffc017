/**
 * "Our side": whether this stack's own role may call ecs:ExecuteCommand on the task (the `ecs:cluster`
 * condition included) and, for a cluster with an exec KMS key, kms:GenerateDataKey on it, by simulation.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { fail, notChecked, notCheckedAfter, pass, type ReadinessCheck } from './checks.ts';
import { refused, simulate } from './simulate.ts';

/** The caller check; `principalArn` is the role (or user) that calls ExecuteCommand. */
export async function callerCheck(
  iam: IAMClient,
  input: { principalArn?: string; clusterArn: string; taskArn: string; kmsKeyArn?: string },
): Promise<ReadinessCheck> {
  if (input.principalArn === undefined) {
    return notChecked(
      'caller.execute-command',
      'no principal to simulate: the role that calls ExecuteCommand is not known here',
      'set EXEC_ROLE_ARN (the stack does) or pass --principal to ecs-diag check',
    );
  }
  try {
    const denied = refused(
      await simulate(
        iam,
        input.principalArn,
        ['ecs:ExecuteCommand'],
        [input.clusterArn, input.taskArn],
        [{ ContextKeyName: 'ecs:cluster', ContextKeyValues: [input.clusterArn], ContextKeyType: 'string' }],
      ),
    );
    if (input.kmsKeyArn !== undefined) {
      denied.push(
        ...refused(await simulate(iam, input.principalArn, ['kms:GenerateDataKey'], [input.kmsKeyArn])),
      );
    }
    if (denied.length > 0) {
      return fail(
        'caller.execute-command',
        `${input.principalArn} is not allowed ${denied.join(', ')} for ${input.taskArn}`,
        'add the cluster to TargetClusterNames (the stack scopes ecs:ExecuteCommand by the ecs:cluster condition) and, for an exec KMS key, set ExecCommandKmsKeyArn; then redeploy',
      );
    }
    return pass(
      'caller.execute-command',
      `${input.principalArn} may call ecs:ExecuteCommand on ${input.taskArn}`,
    );
  } catch (error) {
    return notCheckedAfter('caller.execute-command', error, 'iam:SimulatePrincipalPolicy');
  }
}
