import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasEcsDimensions, locationsFromMetrics } from '#lib/targets/location.ts';
import { decide } from '#lib/triggers/normalise.ts';

const eks = {
  namespace: 'ContainerInsights',
  metricName: 'pod_cpu_utilization',
  dimensions: { ClusterName: 'payments-prod', Namespace: 'default', Service: 'checkout' },
};
const eksControlPlane = {
  namespace: 'AWS/EKS',
  metricName: 'apiserver_request_total',
  dimensions: { ClusterName: 'payments-prod' },
};
const ecs = {
  namespace: 'AWS/ECS',
  metricName: 'CPUUtilization',
  dimensions: { ClusterName: 'payments-prod', ServiceName: 'checkout-api' },
};
const insights = {
  namespace: 'ECS/ContainerInsights',
  metricName: 'RunningTaskCount',
  dimensions: { ClusterName: 'payments-prod', ServiceName: 'checkout-api' },
};
const custom = {
  namespace: 'Payments/App',
  dimensions: { ClusterName: 'payments-prod', ServiceName: 'web' },
};

describe('locations: ClusterName dimensions of other services', () => {
  it('takes ClusterName only from ECS and custom namespaces, not from EKS Container Insights or other AWS services', () => {
    expect(locationsFromMetrics([eks, eksControlPlane])).toEqual([]);
    expect(hasEcsDimensions([eks, eksControlPlane])).toBe(false);
    expect(locationsFromMetrics([ecs, insights, custom]).map((l) => l.service)).toEqual([
      'checkout-api',
      'web',
    ]);
  });

  it('does not turn an EKS alarm into an ECS cluster in the request', () => {
    const event = JSON.parse(
      readFileSync(join(process.cwd(), 'events', 'eventbridge-alarm-ecs-cpu-single-metric.json'), 'utf8'),
    ) as { detail: { configuration: { metrics: unknown[] } } };
    event.detail.configuration.metrics = [
      {
        id: 'm1',
        metricStat: {
          metric: { namespace: eks.namespace, name: eks.metricName, dimensions: eks.dimensions },
          period: 60,
          stat: 'Average',
        },
        returnData: true,
      },
    ];

    const [decision] = decide(event, {
      alarmNamePrefix: '',
      allowedClusters: [],
      defaultScript: 'basic',
      routing: { version: 1, routes: [] },
      now: () => new Date(),
    });

    if (decision?.action !== 'start') throw new Error(`expected a start: ${JSON.stringify(decision)}`);
    expect(decision.request.cluster).toBeUndefined();
    expect(decision.routedBy).toBe('alarm');
  });
});
