import { describe, expect, it } from '@jest/globals';
import { runMetrics } from '../../../functions/write-report/metrics.ts';
import { buildManifest } from '../../../functions/write-report/report.ts';
import { loadTemplate, resourcesOfType } from '../../support/template.ts';

describe('template.yaml metrics dashboard', () => {
  it('charts only metrics write-report emits, in the MetricsNamespace, by the service dimension', () => {
    const dashboard = resourcesOfType(loadTemplate(), 'AWS::CloudWatch::Dashboard')[0]?.[1];
    if (dashboard === undefined) throw new Error('no dashboard in the template');
    const body0 = dashboard.Properties?.DashboardBody as
      | { 'Fn::Sub': [string, Record<string, unknown>] }
      | undefined;
    if (body0 === undefined) throw new Error('the dashboard has no body');
    const sub = body0['Fn::Sub'];
    expect(sub[1]).toEqual({ Namespace: { Ref: 'MetricsNamespace' } });
    const body = JSON.parse(
      sub[0].replaceAll(/\$\{AWS::Region\}/g, 'eu-west-1').replaceAll(/\$\{Namespace\}/g, 'NS'),
    ) as {
      widgets: { properties: { metrics: string[][] } }[];
    };
    const { manifest } = buildManifest(
      { state: {}, execution: { name: 'x', startTime: '2026-11-26T04:00:00.000Z' } },
      new Date(),
    );
    const emitted = new Set(runMetrics(manifest, 0).map((metric) => metric.name));

    const charted = body.widgets.flatMap((widget) => widget.properties.metrics);
    expect(charted.length).toBeGreaterThan(10);
    for (const [namespace, name, dimension, value] of charted) {
      expect(emitted.has(name ?? '')).toBe(true);
      expect(
        [namespace, dimension, value].every(
          (part) => part === '.' || ['NS', 'service', 'write-report'].includes(part ?? ''),
        ),
      ).toBe(true);
    }
  });
});
