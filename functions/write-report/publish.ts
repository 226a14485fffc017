/** Publishes a run's completion event and notification; a failure is logged and counted, never thrown. */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { describeError } from '#lib/errors.ts';
import { logger } from '#lib/logger.ts';
import { type CompletionDetail, chatNotification, EVENT_DETAIL_TYPE, EVENT_SOURCE } from './completion.ts';

const PUBLISH_TIMEOUT_MS = 5000;

/** Where to publish: the bus always, the topic when one is configured. */
export interface PublishTargets {
  events: EventBridgeClient;
  eventBusName: string;
  sns: SNSClient;
  topicArn?: string;
}

/** What was published. */
export interface PublishResult {
  event: boolean;
  notification: boolean | 'not-configured';
  /** How many of the two failed (the NotificationFailures metric). */
  failures: number;
}

async function putEvent(targets: PublishTargets, detail: CompletionDetail): Promise<void> {
  const response = await targets.events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: targets.eventBusName,
          Source: EVENT_SOURCE,
          DetailType: EVENT_DETAIL_TYPE,
          Detail: JSON.stringify(detail),
          Time: new Date(detail.endedAt),
          ...(detail.executionArn === undefined ? {} : { Resources: [detail.executionArn] }),
        },
      ],
    }),
    { abortSignal: AbortSignal.timeout(PUBLISH_TIMEOUT_MS) },
  );
  const failed = response.Entries?.[0];
  if ((response.FailedEntryCount ?? 0) > 0 || failed?.ErrorCode !== undefined) {
    const error = new Error(
      `${failed?.ErrorCode ?? 'FailedEntry'}: ${failed?.ErrorMessage ?? 'no reason given'}`,
    );
    error.name = 'PutEventsEntryFailed';
    throw error;
  }
}

async function publishNotification(targets: PublishTargets, topicArn: string, detail: CompletionDetail) {
  await targets.sns.send(
    new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(chatNotification(detail)) }),
    { abortSignal: AbortSignal.timeout(PUBLISH_TIMEOUT_MS) },
  );
}

/** Publishes the completion event and, when configured, the chat notification. */
export async function publishCompletion(
  targets: PublishTargets,
  detail: CompletionDetail,
): Promise<PublishResult> {
  const result: PublishResult = { event: false, notification: 'not-configured', failures: 0 };
  const [event, notification] = await Promise.allSettled([
    putEvent(targets, detail),
    targets.topicArn === undefined
      ? Promise.resolve('not-configured' as const)
      : publishNotification(targets, targets.topicArn, detail),
  ]);
  if (event.status === 'fulfilled') result.event = true;
  else {
    result.failures += 1;
    logger.error('the completion event was not published', {
      eventBusName: targets.eventBusName,
      error: describeError(event.reason),
    });
  }
  if (targets.topicArn !== undefined) {
    if (notification.status === 'fulfilled') result.notification = true;
    else {
      result.notification = false;
      result.failures += 1;
      logger.error('the notification was not published', {
        topicArn: targets.topicArn,
        error: describeError(notification.reason),
      });
    }
  }
  return result;
}
