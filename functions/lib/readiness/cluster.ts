/**
 * The cluster checks: the ExecuteCommand configuration (KMS key, logging) and, when session logs go to
 * CloudWatch Logs or S3, whether the task role may write there (by IAM simulation).
 */
import { type Cluster, DescribeClustersCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import { arnParts } from './arn.ts';
import { fail, notChecked, notCheckedAfter, pass, type ReadinessCheck } from './checks.ts';
import { refused, simulate } from './simulate.ts';

/** Reads the cluster with its configuration; undefined when it is missing. Errors pass through. */
export async function describeCluster(ecs: ECSClient, cluster: string): Promise<Cluster | undefined> {
  const answer = await ecs.send(
    new DescribeClustersCommand({ clusters: [cluster], include: ['CONFIGURATIONS'] }),
  );
  return answer.clusters?.[0];
}

/** The exec configuration finding. */
export function clusterConfigCheck(cluster: Cluster): ReadinessCheck {
  const config = cluster.configuration?.executeCommandConfiguration;
  if (config === undefined) {
    return pass('cluster.exec-config', 'no executeCommandConfiguration: no KMS key, DEFAULT logging');
  }
  const logging = config.logging ?? 'DEFAULT';
  const destination = config.logConfiguration;
  const evidence = `kmsKeyId ${config.kmsKeyId ?? 'none'}, logging ${logging}${
    destination?.cloudWatchLogGroupName ? `, log group ${destination.cloudWatchLogGroupName}` : ''
  }${destination?.s3BucketName ? `, bucket ${destination.s3BucketName}` : ''}`;
  if (logging === 'OVERRIDE' && !destination?.cloudWatchLogGroupName && !destination?.s3BucketName) {
    return fail(
      'cluster.exec-config',
      `${evidence}: OVERRIDE logging names no log group and no bucket`,
      'set logConfiguration.cloudWatchLogGroupName or s3BucketName (aws ecs update-cluster --configuration ...), or use DEFAULT logging',
    );
  }
  return pass('cluster.exec-config', evidence);
}

/** The task role's permission to write the session logs of an OVERRIDE configuration. */
export async function clusterLoggingCheck(
  iam: IAMClient,
  cluster: Cluster,
  roleArn: string | undefined,
): Promise<ReadinessCheck | undefined> {
  const config = cluster.configuration?.executeCommandConfiguration;
  if (config?.logging !== 'OVERRIDE') return undefined;
  const destination = config.logConfiguration ?? {};
  const where = arnParts(cluster.clusterArn ?? '');
  if (roleArn === undefined || where === undefined) {
    return notChecked('cluster.exec-logging', 'the task role is unknown or missing (see role.exists)');
  }
  const requests: Array<{ actions: string[]; resources: string[] }> = [];
  if (destination.cloudWatchLogGroupName) {
    const group = `arn:${where.partition}:logs:${where.region}:${where.account}:log-group:${destination.cloudWatchLogGroupName}`;
    requests.push({ actions: ['logs:DescribeLogGroups'], resources: ['*'] });
    requests.push({
      actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
      resources: [`${group}:*`],
    });
  }
  if (destination.s3BucketName) {
    const prefix = destination.s3KeyPrefix ? `${destination.s3KeyPrefix.replace(/\/$/, '')}/` : '';
    requests.push({
      actions: ['s3:PutObject'],
      resources: [`arn:${where.partition}:s3:::${destination.s3BucketName}/${prefix}*`],
    });
    requests.push({
      actions: ['s3:GetEncryptionConfiguration'],
      resources: [`arn:${where.partition}:s3:::${destination.s3BucketName}`],
    });
  }
  const denied: string[] = [];
  try {
    for (const request of requests) {
      denied.push(...refused(await simulate(iam, roleArn, request.actions, request.resources)));
    }
  } catch (error) {
    return notCheckedAfter('cluster.exec-logging', error, 'iam:SimulatePrincipalPolicy');
  }
  const encrypted = destination.cloudWatchEncryptionEnabled || destination.s3EncryptionEnabled;
  const keyNote = encrypted
    ? "; the destination is encrypted: its own KMS key is not read here, so the role's use of it is not checked"
    : '';
  if (denied.length > 0) {
    return fail(
      'cluster.exec-logging',
      `${roleArn} is not allowed ${denied.join(', ')}${keyNote}`,
      'allow these actions on the log destination in the task role, or switch the cluster to DEFAULT logging',
    );
  }
  return pass('cluster.exec-logging', `${roleArn} may write the session logs${keyNote}`);
}
