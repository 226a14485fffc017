import { describe, expect, it } from '@jest/globals';
import {
  consoleHost,
  executionLink,
  s3ConsoleLink,
  s3FolderLink,
  s3ObjectLink,
  s3Uri,
} from '#lib/console-links.ts';
import { fixtureManifest } from '#local/report-fixtures.ts';
import { completionDetail } from '../../../functions/write-report/completion.ts';

describe('console links', () => {
  it.each([
    ['eu-west-1', 'eu-west-1.console.aws.amazon.com'],
    ['cn-north-1', 'console.amazonaws.cn'],
    ['cn-northwest-1', 'console.amazonaws.cn'],
    ['us-gov-west-1', 'console.amazonaws-us-gov.com'],
    ['us-gov-east-1', 'console.amazonaws-us-gov.com'],
  ])('opens %s on its partition’s console (%s)', (region, host) => {
    expect(consoleHost(region)).toBe(host);
    expect(s3ObjectLink('b', 'k', region)).toBe(`https://${host}/s3/object/b?region=${region}&prefix=k`);
    expect(s3FolderLink('b', 'runs/', region)).toBe(
      `https://${host}/s3/buckets/b?region=${region}&prefix=runs%2F&showversions=false`,
    );
    expect(executionLink('arn:x', region)).toBe(
      `https://${host}/states/home?region=${region}#/v2/executions/details/arn%3Ax`,
    );
  });

  it('encodes the bucket and key, and gives no link without a bucket or a plausible region', () => {
    expect(s3ConsoleLink('b', 'runs/a b&c.log', 'us-east-1')).toBe(
      'https://us-east-1.console.aws.amazon.com/s3/object/b?region=us-east-1&prefix=runs%2Fa%20b%26c.log',
    );
    expect(s3ConsoleLink(undefined, 'k', 'us-east-1')).toBeUndefined();
    expect(s3ConsoleLink('b', 'k', undefined)).toBeUndefined();
    expect(s3ConsoleLink('b', 'k', 'evil.example/x')).toBeUndefined();
    expect(s3Uri('b', 'k')).toBe('s3://b/k');
    expect(s3Uri(undefined, 'k')).toBe('k');
  });

  it('puts the completion event’s links on the GovCloud console for a GovCloud run', () => {
    const manifest = fixtureManifest('all-succeeded');
    const detail = completionDetail(manifest, {
      bucket: 'out',
      region: 'us-gov-west-1',
      executionArn: 'arn:aws-us-gov:states:us-gov-west-1:493817260514:execution:sm:run',
      endedAt: new Date('2025-03-14T09:30:00Z'),
      manifestWritten: true,
    });
    for (const link of Object.values(detail.links)) {
      expect(link.startsWith('https://console.amazonaws-us-gov.com/')).toBe(true);
    }
    expect(detail.links.execution).toBeDefined();
  });
});
