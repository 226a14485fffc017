/** The forms ECS accepts for the names and ids a request or an alarm hands to resolve-targets. */
import { InvalidRequestError } from '../errors.ts';
import { lastArnSegment } from '../s3-keys.ts';

/** An ECS cluster, service, container or task definition family name. */
export const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** A task id as ECS issues them (32 hex digits, or the older UUID form). */
export const TASK_ID = /^(?:[a-f0-9]{32}|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$/;

/** Throws InvalidRequestError naming `field` unless the name (or the ARN's last segment) is an ECS name. */
export function checkName(value: string, field: string): void {
  if (!ECS_NAME.test(lastArnSegment(value))) {
    throw new InvalidRequestError(
      field,
      `${JSON.stringify(value.slice(0, 100))} is not a valid ECS name ([A-Za-z0-9_-], up to 255)`,
    );
  }
}
