import type { ResolvedTargets } from '#lib/contracts.ts';
import { buildManifest } from '../../../functions/write-report/report.ts';
import { expectValidManifest } from '../../support/manifest-schema.ts';

const execution = { name: 'e778e4cf-checkout-degraded', startTime: '2026-11-26T04:00:00.000Z' };

describe('write-report: resolution notes', () => {
  it('carries the notes resolve-targets left (why a location or tag was not used) into the manifest', () => {
    const resolved: ResolvedTargets & { notes: string[] } = {
      run: { executionName: execution.name, prefix: `runs/2026/11/26/${execution.name}/` },
      targets: [],
      skipped: [],
      maxConcurrency: 5,
      notes: ['ListTagsForResource on the alarm failed (tags not used): AccessDenied: denied'],
    };

    const { manifest } = buildManifest({ state: { resolved }, execution }, new Date());

    expectValidManifest(manifest);
    expect(manifest.notes).toEqual(resolved.notes);
  });

  it('leaves notes out when there are none', () => {
    const { manifest } = buildManifest({ state: {}, execution }, new Date());

    expect(manifest).not.toHaveProperty('notes');
  });
});
