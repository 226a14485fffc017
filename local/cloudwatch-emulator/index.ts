/**
 * The CloudWatch emulator: DescribeAlarms (metric and composite alarms, parents/children of composite
 * rules) and ListTagsForResource, answered from the sandbox world. The installed
 * @aws-sdk/client-cloudwatch speaks AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`,
 * query-compatible), so that is what this serves.
 */
import {
  AwsServiceError,
  decodeToken,
  encodeToken,
  integerField,
  type JsonRequest,
  startAwsJsonServer,
  stringField,
  stringListField,
} from '../aws-json-server.ts';
import { type World, type WorldCompositeAlarm, type WorldMetricAlarm, worldArns } from '../world.ts';

export interface CloudWatchEmulator {
  endpoint: string;
  /** Calls per operation (those answered with an error included), for tests that count what a run asked. */
  calls: Map<string, number>;
  close(): Promise<void>;
}

const UPDATED = Date.parse('2025-03-14T09:27:41.516Z') / 1000;

/** Starts the emulator on 127.0.0.1 (port 0 unless given). */
export async function startCloudWatchEmulator(options: {
  world: World;
  port?: number;
}): Promise<CloudWatchEmulator> {
  const { world } = options;
  const arns = worldArns(world);
  const metric = world.alarms.metric;
  const composite = world.alarms.composite;
  const calls = new Map<string, number>();

  /** Alarm names a composite rule refers to: ALARM("name"), OK(name), INSUFFICIENT_DATA('name'). */
  function childrenOf(alarm: WorldCompositeAlarm): string[] {
    return [
      ...alarm.AlarmRule.matchAll(
        /\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*(?:"([^"]+)"|'([^']+)'|([^\s)]+))\s*\)/g,
      ),
    ].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
  }

  /** The fields DescribeAlarms returns for every alarm; the world's tags are not among them. */
  function describeAlarm<A extends WorldMetricAlarm | WorldCompositeAlarm>(alarm: A) {
    const { tags: _tags, ...fields } = alarm;
    return {
      ...fields,
      AlarmArn: arns.alarm(alarm.AlarmName),
      AlarmConfigurationUpdatedTimestamp: UPDATED,
      ActionsEnabled: true,
      OKActions: [],
      InsufficientDataActions: [],
      StateUpdatedTimestamp: UPDATED,
      StateTransitionedTimestamp: UPDATED,
    };
  }

  function describeMetric(alarm: WorldMetricAlarm) {
    return { ...describeAlarm(alarm), Dimensions: alarm.Dimensions ?? [] };
  }

  const operations = {
    DescribeAlarms(request: JsonRequest) {
      const names = stringListField(request, 'AlarmNames', 'InvalidParameterValueException');
      const prefix = stringField(request, 'AlarmNamePrefix', 'InvalidParameterValueException');
      const children = stringField(request, 'ChildrenOfAlarmName', 'InvalidParameterValueException');
      const parents = stringField(request, 'ParentsOfAlarmName', 'InvalidParameterValueException');
      const state = stringField(request, 'StateValue', 'InvalidParameterValueException');
      const actionPrefix = stringField(request, 'ActionPrefix', 'InvalidParameterValueException');
      const types = stringListField(request, 'AlarmTypes', 'InvalidParameterValueException') ?? [
        'MetricAlarm',
      ];
      const maxRecords =
        integerField(request, 'MaxRecords', { min: 1, max: 100 }, 'InvalidParameterValueException') ?? 50;
      const offset = decodeToken(stringField(request, 'NextToken', 'InvalidNextToken'), 'InvalidNextToken');
      const selectors = [names, prefix, children, parents].filter((value) => value !== undefined).length;
      if (selectors > 1) {
        throw new AwsServiceError(
          'InvalidParameterCombinationException',
          'Use only one of AlarmNames, AlarmNamePrefix, ChildrenOfAlarmName and ParentsOfAlarmName.',
        );
      }
      const family =
        children !== undefined
          ? 'ChildrenOfAlarmName'
          : parents !== undefined
            ? 'ParentsOfAlarmName'
            : undefined;
      if (family !== undefined) {
        // As documented for DescribeAlarms: with these two, only MaxRecords and NextToken may be given, and
        // only AlarmName, AlarmArn, StateValue and StateUpdatedTimestamp come back.
        const extra = Object.keys(request).filter(
          (key) => !['ChildrenOfAlarmName', 'ParentsOfAlarmName', 'MaxRecords', 'NextToken'].includes(key),
        );
        if (extra.length > 0) {
          throw new AwsServiceError(
            'InvalidParameterCombinationException',
            `With ${family} only MaxRecords and NextToken may be specified (got ${extra.join(', ')}).`,
          );
        }
      }
      if (names !== undefined && names.length > 100) {
        throw new AwsServiceError('InvalidParameterValueException', 'AlarmNames: at most 100 names');
      }
      let nameFilter: (name: string) => boolean = () => true;
      if (names !== undefined) nameFilter = (name) => names.includes(name);
      if (prefix !== undefined) nameFilter = (name) => name.startsWith(prefix);
      if (children !== undefined) {
        const rule = composite.find((alarm) => alarm.AlarmName === children);
        const set = new Set(rule === undefined ? [] : childrenOf(rule));
        nameFilter = (name) => set.has(name);
      }
      if (parents !== undefined) {
        const set = new Set(composite.filter((a) => childrenOf(a).includes(parents)).map((a) => a.AlarmName));
        nameFilter = (name) => set.has(name);
      }
      const keep = (alarm: { AlarmName: string; StateValue: string; AlarmActions: string[] }) =>
        nameFilter(alarm.AlarmName) &&
        (state === undefined || alarm.StateValue === state) &&
        (actionPrefix === undefined || alarm.AlarmActions.some((action) => action.startsWith(actionPrefix)));
      const wantMetric = types.includes('MetricAlarm') || children !== undefined;
      const wantComposite = types.includes('CompositeAlarm') || family !== undefined;
      const all = [
        ...(wantMetric ? metric.filter(keep).map((alarm) => ({ kind: 'metric' as const, alarm })) : []),
        ...(wantComposite
          ? composite.filter(keep).map((alarm) => ({ kind: 'composite' as const, alarm }))
          : []),
      ];
      const brief = (alarm: { AlarmName: string; StateValue: string }) => ({
        AlarmName: alarm.AlarmName,
        AlarmArn: arns.alarm(alarm.AlarmName),
        StateValue: alarm.StateValue,
        StateUpdatedTimestamp: UPDATED,
      });
      const page = all.slice(offset, offset + maxRecords);
      return {
        MetricAlarms: page.flatMap((item) =>
          item.kind === 'metric' ? [family ? brief(item.alarm) : describeMetric(item.alarm)] : [],
        ),
        CompositeAlarms: page.flatMap((item) =>
          item.kind === 'composite' ? [family ? brief(item.alarm) : describeAlarm(item.alarm)] : [],
        ),
        ...(offset + maxRecords < all.length ? { NextToken: encodeToken(offset + maxRecords) } : {}),
      };
    },

    ListTagsForResource(request: JsonRequest) {
      const arn = stringField(request, 'ResourceARN', 'InvalidParameterValueException');
      if (arn === undefined) {
        throw new AwsServiceError('MissingRequiredParameterException', 'ResourceARN is required');
      }
      const alarm = [...metric, ...composite].find((candidate) => arns.alarm(candidate.AlarmName) === arn);
      if (alarm === undefined)
        throw new AwsServiceError('ResourceNotFoundException', `Resource ${arn} not found`, 404);
      return { Tags: Object.entries(alarm.tags).map(([Key, Value]) => ({ Key, Value })) };
    },
  };

  const server = await startAwsJsonServer({
    targetPrefix: 'GraniteServiceVersion20100801',
    jsonVersion: '1.0',
    operations,
    queryErrors: QUERY_ERRORS,
    onCall: (operation) => calls.set(operation, (calls.get(operation) ?? 0) + 1),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  return { endpoint: server.endpoint, calls, close: () => server.close() };
}

/** CloudWatch's awsQueryError codes (its service model) for the errors this emulator raises. */
const QUERY_ERRORS: Record<string, { code: string; fault: 'Sender' | 'Receiver' }> = {
  InvalidParameterValueException: { code: 'InvalidParameterValue', fault: 'Sender' },
  InvalidParameterCombinationException: { code: 'InvalidParameterCombination', fault: 'Sender' },
  MissingRequiredParameterException: { code: 'MissingParameter', fault: 'Sender' },
  InvalidNextToken: { code: 'InvalidNextToken', fault: 'Sender' },
  ResourceNotFoundException: { code: 'ResourceNotFoundException', fault: 'Sender' },
};
