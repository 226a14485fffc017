/** The parts of an ECS ARN that other services' ARNs are built from. */
export interface ArnParts {
  partition: string;
  region: string;
  account: string;
}

/** Partition, region and account of an ARN, or undefined for anything that is not one. */
export function arnParts(arn: string): ArnParts | undefined {
  const match = /^arn:(aws[a-z-]*):[a-z0-9-]+:([a-z0-9-]*):(\d{12}):/.exec(arn);
  if (match === null) return undefined;
  return { partition: match[1] as string, region: match[2] as string, account: match[3] as string };
}

/** A KMS key reference (id, ARN or alias) as an ARN in the cluster's account and region. */
export function kmsKeyArn(key: string, where: ArnParts): string {
  if (key.startsWith('arn:')) return key;
  const resource = key.startsWith('alias/') ? key : `key/${key}`;
  return `arn:${where.partition}:kms:${where.region}:${where.account}:${resource}`;
}
