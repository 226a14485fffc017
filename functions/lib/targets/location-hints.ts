/** The alarm-dimension hints of a Location (TaskId, ContainerName, TaskDefinitionFamily), checked. */
import { ECS_NAME, TASK_ID } from './ecs-names.ts';
import type { Location } from './location.ts';

/** The alarm-dimension hints of a location, their names, and the form ECS accepts for each. */
const HINTS = [
  { key: 'preferredTaskId', dimension: 'TaskId', pattern: TASK_ID, what: 'an ECS task id' },
  { key: 'container', dimension: 'ContainerName', pattern: ECS_NAME, what: 'an ECS container name' },
  {
    key: 'family',
    dimension: 'TaskDefinitionFamily',
    pattern: ECS_NAME,
    what: 'an ECS task definition family',
  },
] as const;

/**
 * Drops dimension hints that cannot be what they claim (custom metrics carry any text): ECS fails a whole
 * DescribeTasks or ListTasks call on one malformed identifier, and the text would reach the manifest.
 */
export function withoutMalformedHints(location: Location): { location: Location; skipped: string[] } {
  const checked: Location = { ...location };
  const skipped: string[] = [];
  for (const hint of HINTS) {
    const value = checked[hint.key];
    if (value === undefined || hint.pattern.test(value)) continue;
    delete checked[hint.key];
    skipped.push(
      `the ${hint.dimension} dimension ${JSON.stringify(value.slice(0, 64))} is not ${hint.what}; ignored`,
    );
  }
  return { location: checked, skipped };
}
