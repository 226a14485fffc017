/**
 * Where a person opens the run's objects and execution: `s3://` URIs and AWS console links, on the console
 * of the region's partition (aws, aws-cn, aws-us-gov).
 */

/** A region code as AWS writes them (`eu-west-1`, `cn-north-1`, `us-gov-west-1`). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The console host for a region: China's and GovCloud's partitions have one console each (the region goes
 * in the query string); the `aws` partition has a host per region.
 */
export function consoleHost(region: string): string {
  if (region.startsWith('cn-')) return 'console.amazonaws.cn';
  if (region.startsWith('us-gov-')) return 'console.amazonaws-us-gov.com';
  return `${region}.console.aws.amazon.com`;
}

/** `s3://bucket/key`, or the key alone when the bucket is not known. */
export function s3Uri(bucket: string | undefined, key: string): string {
  return bucket === undefined ? key : `s3://${bucket}/${key}`;
}

/** The S3 console page of one object. */
export function s3ObjectLink(bucket: string, key: string, region: string): string {
  return `https://${consoleHost(region)}/s3/object/${encodeURIComponent(bucket)}?region=${region}&prefix=${encodeURIComponent(key)}`;
}

/** The S3 console page of one object, or undefined when the bucket or a plausible region is missing. */
export function s3ConsoleLink(
  bucket: string | undefined,
  key: string,
  region: string | undefined,
): string | undefined {
  if (bucket === undefined || region === undefined || !REGION.test(region)) return undefined;
  return s3ObjectLink(bucket, key, region);
}

/** The S3 console page of a folder. */
export function s3FolderLink(bucket: string, prefix: string, region: string): string {
  return `https://${consoleHost(region)}/s3/buckets/${encodeURIComponent(bucket)}?region=${region}&prefix=${encodeURIComponent(prefix)}&showversions=false`;
}

/** The Step Functions console page of an execution. */
export function executionLink(executionArn: string, region: string): string {
  return `https://${consoleHost(region)}/states/home?region=${region}#/v2/executions/details/${encodeURIComponent(executionArn)}`;
}
