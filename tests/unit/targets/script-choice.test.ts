import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigurationError } from '#lib/errors.ts';
import { parseRequest } from '#lib/request.ts';
import { routeRequest } from '#lib/targets/alarm-route.ts';
import { matchMetricRoute, matchRoute, parseRoutingTable } from '#lib/targets/routing.ts';
import { routingTable } from '#lib/targets/routing-table.ts';
import { chooseScript } from '#lib/targets/script-choice.ts';
import { dryRun } from '../triggers/run-dry-run.ts';

const cloudwatch = mockClient(CloudWatchClient);
const ARN = 'arn:aws:cloudwatch:us-east-1:493817260514:alarm:payments-prod-checkout-api-cpu-high';

beforeEach(() => {
  cloudwatch.reset();
  delete process.env.ALLOWED_CLUSTERS;
  delete process.env.ALARM_NAME_PREFIX;
});

const metric = (namespace: string, metricName: string) => ({ namespace, metricName, dimensions: {} });

describe('script choice: the alarm picks the script', () => {
  it.each([
    ['AWS/ECS', 'CPUUtilization', 'cpu'],
    ['ECS/ContainerInsights', 'CpuUtilized', 'cpu'],
    ['ECS/ContainerInsights', 'ContainerCpuUtilization', 'cpu'],
    ['AWS/ECS', 'MemoryUtilization', 'memory'],
    ['ECS/ContainerInsights', 'MemoryUtilized', 'memory'],
    ['ECS/ContainerInsights', 'ContainerMemoryUtilization', 'memory'],
    ['Custom/App', 'ContainerOOMKills', 'memory'],
    ['ECS/ContainerInsights', 'NetworkRxDropped', 'network'],
    ['AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', 'network'],
    ['AWS/ApplicationELB', 'HTTPCode_ELB_502_Count', 'network'],
    ['AWS/ApplicationELB', 'TargetResponseTime', 'network'],
    ['AWS/ApplicationELB', 'TargetConnectionErrorCount', 'network'],
    ['AWS/NetworkELB', 'TCP_Target_Reset_Count', 'network'],
  ])('the default routes send %s/%s to %s', (namespace, name, script) => {
    expect(matchMetricRoute(routingTable, [metric(namespace, name)])?.route.script).toBe(script);
  });

  it.each([['RunningTaskCount'], ['HTTPCode_Target_4XX_Count'], ['EphemeralStorageUtilized']])(
    '%s matches no metric route (DEFAULT_SCRIPT)',
    (name) => {
      expect(matchMetricRoute(routingTable, [metric('ECS/ContainerInsights', name)])).toBeUndefined();
    },
  );

  it('takes the first route in file order that any metric matches, and honours a namespace pattern', () => {
    const table = parseRoutingTable({
      version: 1,
      routes: [],
      metricRoutes: [
        { metricName: '*Memory*', script: 'memory' },
        { metricName: '*', namespace: 'AWS/ApplicationELB', script: 'network' },
        { metricName: '*CPU*', script: 'cpu' },
      ],
    });

    expect(
      matchMetricRoute(table, [metric('AWS/ECS', 'CPUUtilization'), metric('AWS/ECS', 'MemoryUtilization')]),
    ).toEqual({ index: 0, route: table.metricRoutes?.[0], metric: 'AWS/ECS/MemoryUtilization' });
    expect(matchMetricRoute(table, [metric('AWS/ApplicationELB', 'RequestCount')])?.index).toBe(1);
    expect(matchMetricRoute(table, [metric('AWS/ECS', 'RequestCount')])).toBeUndefined();
  });

  it('rejects a metric route naming a script outside the catalog, naming the entry', () => {
    expect(() =>
      parseRoutingTable({ version: 1, routes: [], metricRoutes: [{ metricName: '*', script: 'rm -rf /' }] }),
    ).toThrow(
      new ConfigurationError('routing/routing.json: metricRoutes.0.script: is not a script of the catalog'),
    );
  });

  it('applies the order: request > tag > alarm-name route > metric route > default', () => {
    const table = parseRoutingTable({
      version: 1,
      routes: [{ alarmName: 'checkout-*', script: 'network' }],
      metricRoutes: [{ metricName: '*CPU*', script: 'cpu' }],
    });
    const route = matchRoute(table, 'checkout-cpu');
    const byMetric = matchMetricRoute(table, [metric('AWS/ECS', 'CPUUtilization')]);
    const all = { request: 'jvm', tag: 'python', route, metric: byMetric, defaultScript: 'basic' };

    expect(chooseScript(all)).toMatchObject({ script: 'jvm', source: 'request' });
    expect(chooseScript({ ...all, request: undefined })).toMatchObject({ script: 'python', source: 'tag' });
    expect(chooseScript({ ...all, request: undefined, tag: undefined })).toMatchObject({
      script: 'network',
      source: 'route',
      reason: 'routing/routing.json routes[0] (alarmName "checkout-*")',
    });
    expect(chooseScript({ ...all, request: undefined, tag: undefined, route: undefined })).toEqual({
      script: 'cpu',
      source: 'metric',
      reason:
        'routing/routing.json metricRoutes[0]: the alarm\'s metric AWS/ECS/CPUUtilization matches "*CPU*"',
    });
    expect(chooseScript({ defaultScript: 'basic', metrics: ['AWS/ECS/RunningTaskCount'] })).toMatchObject({
      script: 'basic',
      source: 'default',
      reason: expect.stringContaining('AWS/ECS/RunningTaskCount'),
    });
  });

  it('resolve-targets routing: an ecs-diagnostics:script tag beats the metric route', async () => {
    cloudwatch
      .on(ListTagsForResourceCommand)
      .resolves({ Tags: [{ Key: 'ecs-diagnostics:script', Value: 'jvm' }] });
    const request = parseRequest({
      cluster: 'payments-prod',
      service: 'checkout-api',
      source: { type: 'alarm', alarmName: 'payments-prod-checkout-api-cpu-high', alarmArn: ARN },
      alarm: {
        name: 'payments-prod-checkout-api-cpu-high',
        arn: ARN,
        metrics: [metric('AWS/ECS', 'CPUUtilization')],
      },
    });

    const routed = await routeRequest(request, {
      cloudwatch: new CloudWatchClient({}),
      routing: routingTable,
    });

    expect(routed.script).toBe('jvm');
    expect(routed.scriptReason).toBe("the alarm's ecs-diagnostics:script tag");
  });

  it("resolve-targets routing: a composite alarm gets the script of its children's metrics", async () => {
    cloudwatch
      .on(DescribeAlarmsCommand, { ChildrenOfAlarmName: 'checkout-degraded' })
      .resolves({ MetricAlarms: [{ AlarmName: 'checkout-memory-high', StateValue: 'ALARM' }] })
      .on(DescribeAlarmsCommand, { AlarmNames: ['checkout-memory-high'] })
      .resolves({
        MetricAlarms: [
          {
            AlarmName: 'checkout-memory-high',
            StateValue: 'ALARM',
            Namespace: 'AWS/ECS',
            MetricName: 'MemoryUtilization',
            Dimensions: [
              { Name: 'ClusterName', Value: 'payments-prod' },
              { Name: 'ServiceName', Value: 'checkout-api' },
            ],
          },
        ],
      });
    const request = parseRequest({
      source: { type: 'alarm', alarmName: 'checkout-degraded' },
      alarm: { name: 'checkout-degraded', type: 'composite' },
    });

    const routed = await routeRequest(request, {
      cloudwatch: new CloudWatchClient({}),
      routing: routingTable,
    });

    expect(routed.locations).toHaveLength(1);
    expect(routed.script).toBe('memory');
    expect(routed.scriptReason).toContain('AWS/ECS/MemoryUtilization matches "*Memory*"');
  });
});

describe('dry-run shows which script and why', () => {
  it('the sample cpu-high alarm gets cpu, from the metric route', async () => {
    const { code, output } = await dryRun(['--event', 'events/eventbridge-alarm-ecs-cpu-single-metric.json']);

    expect(code).toBe(0);
    expect(output.runs).toEqual([
      expect.objectContaining({
        script: {
          name: 'cpu',
          reason: expect.stringMatching(
            /^routing\/routing\.json metricRoutes\[0\]: .*CPUUtilization.*\(tags not read: add --resolve\)$/,
          ),
        },
        cooldown: expect.objectContaining({ script: 'cpu' }),
      }),
    ]);
  });

  it('a routing file without metric routes falls back to DEFAULT_SCRIPT and says so', async () => {
    const file = join(process.cwd(), 'routing', 'routing.json');
    const { metricRoutes: _dropped, ...rest } = JSON.parse(readFileSync(file, 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'ecsdiag-routing-'));
    const tmp = join(dir, 'routing.json');
    writeFileSync(tmp, JSON.stringify(rest));
    try {
      const { output } = await dryRun([
        '--event',
        'events/eventbridge-alarm-ecs-cpu-single-metric.json',
        '--routing',
        tmp,
      ]);
      expect(output.runs).toEqual([
        expect.objectContaining({
          script: { name: 'basic', reason: expect.stringMatching(/^DEFAULT_SCRIPT: .*CPUUtilization/) },
        }),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
