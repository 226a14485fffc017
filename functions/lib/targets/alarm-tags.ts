/**
 * The alarm tags that route a run: `ecs-diagnostics:cluster`, `:service`, `:container` and `:script`, from
 * the alarm event itself (tag propagation on) or from ListTagsForResource on the alarm ARN.
 */
import { type CloudWatchClient, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch';

/** The tag keys read from an alarm. */
export const TAG_PREFIX = 'ecs-diagnostics:';
const TAG_NAMES = ['cluster', 'service', 'container', 'script'] as const;
/** AWS's limit on a tag value. */
export const MAX_TAG_VALUE = 256;

/** `ecs-diagnostics:*` tags of an alarm, keyed without the prefix. */
export type AlarmTags = Partial<Record<(typeof TAG_NAMES)[number], string>>;

/** The `ecs-diagnostics:*` tags among an alarm's key/value pairs; other keys are left out. */
export function diagnosticsTags(
  pairs: Iterable<readonly [string | undefined, string | undefined]>,
): AlarmTags {
  const tags: AlarmTags = {};
  for (const [key, value] of pairs) {
    if (key === undefined || value === undefined || !key.startsWith(TAG_PREFIX)) continue;
    const name = key.slice(TAG_PREFIX.length);
    const known = TAG_NAMES.find((candidate) => candidate === name);
    if (known !== undefined) tags[known] = value;
  }
  return tags;
}

/** The ecs-diagnostics:* tags of an alarm (ListTagsForResource on the alarm ARN). */
export async function listAlarmTags(cloudwatch: CloudWatchClient, alarmArn: string): Promise<AlarmTags> {
  const answer = await cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarmArn }));
  return diagnosticsTags((answer.Tags ?? []).map((tag) => [tag.Key, tag.Value] as const));
}
