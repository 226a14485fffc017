/**
 * The EventBridge emulator: PutEvents (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`) onto the buses
 * it knows, with EventBridge's entry checks; every accepted event is recorded, in order.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError, type JsonRequest, startAwsJsonServer } from '../aws-json-server.ts';

/** One accepted event, as a rule on the bus would see it. */
export interface RecordedEvent {
  id: string;
  eventBusName: string;
  source: string;
  detailType: string;
  detail: unknown;
  resources: string[];
  time: string;
}

export interface EventBridgeEmulator {
  endpoint: string;
  /** Accepted events, oldest first. */
  events: RecordedEvent[];
  close(): Promise<void>;
}

/** EventBridge's limit on one PutEvents request (and so on one entry). */
const MAX_REQUEST_BYTES = 256 * 1024;

function entryError(code: string, message: string) {
  return { ErrorCode: code, ErrorMessage: message };
}

/** Starts the emulator on 127.0.0.1 with the given buses (default: `default`). */
export async function startEventBridgeEmulator(
  options: { buses?: string[]; port?: number } = {},
): Promise<EventBridgeEmulator> {
  const buses = new Set(options.buses ?? ['default']);
  const events: RecordedEvent[] = [];

  function putEvents(request: JsonRequest) {
    const entries = request.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
      throw new AwsServiceError('ValidationException', 'Entries must hold 1 to 10 entries');
    }
    if (Buffer.byteLength(JSON.stringify(entries)) > MAX_REQUEST_BYTES) {
      throw new AwsServiceError(
        'ValidationException',
        'Total size of the entries in the request is over the limit',
      );
    }
    let failed = 0;
    const results = entries.map((entry: Record<string, unknown>) => {
      const bus =
        String(entry.EventBusName ?? 'default')
          .split('/')
          .pop() ?? 'default';
      const outcome = (() => {
        if (!buses.has(bus)) return entryError('NotFoundException', `Event bus ${bus} does not exist.`);
        if (typeof entry.Source !== 'string' || entry.Source === '') {
          return entryError(
            'InvalidArgument',
            'Parameter Source is not valid. Reason: Source is a required argument.',
          );
        }
        if (entry.Source.startsWith('aws.')) {
          return entryError('NotAuthorizedForSourceException', 'Not authorized for the source.');
        }
        if (typeof entry.DetailType !== 'string' || entry.DetailType === '') {
          return entryError('InvalidArgument', 'Parameter DetailType is not valid.');
        }
        let detail: unknown;
        try {
          detail = JSON.parse(String(entry.Detail));
        } catch {
          return entryError('MalformedDetail', 'Detail is malformed.');
        }
        if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
          return entryError('MalformedDetail', 'Detail is malformed.');
        }
        const id = randomUUID();
        events.push({
          id,
          eventBusName: bus,
          source: entry.Source,
          detailType: entry.DetailType,
          detail,
          resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
          time:
            typeof entry.Time === 'number'
              ? new Date(entry.Time * 1000).toISOString()
              : new Date().toISOString(),
        });
        return { EventId: id };
      })();
      if ('ErrorCode' in outcome) failed += 1;
      return outcome;
    });
    return { FailedEntryCount: failed, Entries: results };
  }

  const server = await startAwsJsonServer({
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
    operations: { PutEvents: putEvents },
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return { endpoint: server.endpoint, events, close: () => server.close() };
}
