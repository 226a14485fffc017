import { describe, expect, it } from '@jest/globals';
import { renderSummaryMarkdown, SUMMARY_TARGET_LINES } from '#lib/report/summary-markdown.ts';
import { FIXTURE_KINDS, fixtureManifest } from '#local/report-fixtures.ts';

const bucket = 'ecs-diag-output-493817260514';

describe('summary.md', () => {
  it.each(FIXTURE_KINDS)('names the alarm, the outcome and each target (%s)', (kind) => {
    const manifest = fixtureManifest(kind);
    const md = renderSummaryMarkdown(manifest, { bucket });
    const targetLines = md.split('\n').filter((line) => line.startsWith('- **'));

    expect(md.split('\n')[0]).toContain(`ECS diagnostics: ${manifest.outcome.toUpperCase()}`);
    expect(md).toContain(`Outcome: **${manifest.outcome}**`);
    expect(targetLines).toHaveLength(Math.min(manifest.targets.length, SUMMARY_TARGET_LINES));
    expect(md).toContain(`\`s3://${bucket}/${manifest.files.report}\``);
    expect(md.split('\n').length).toBeLessThan(SUMMARY_TARGET_LINES + 30);
  });

  it('says why a partial target is partial and what failed', () => {
    const md = renderSummaryMarkdown(fixtureManifest('partial-output-cap'));
    const allFailed = renderSummaryMarkdown(fixtureManifest('all-failed'));

    expect(md).toMatch(
      /- \*\*PARTIAL\*\* checkout-api · task \S+ · checkout · basic · exit unknown · 10 MiB .*partial: output-cap, no-exit-status/,
    );
    expect(allFailed).toContain('9 attempts — TargetNotConnectedException: The ExecuteCommand agent');
  });

  it('lists the failed and partial targets first and counts what it leaves out', () => {
    const md = renderSummaryMarkdown(fixtureManifest('targets-1000'));
    const lines = md.split('\n').filter((line) => line.startsWith('- **'));

    expect(lines[0]).toMatch(/^- \*\*FAILED\*\*/);
    expect(lines.some((line) => line.startsWith('- **SUCCEEDED**'))).toBe(false);
    expect(md).toContain(`- … and ${1000 - SUMMARY_TARGET_LINES} more targets: every one is in report.html`);
    expect(md).toContain('Left out by sampling (1200): 1200 × sampling: maxTasks 1000');
  });

  it('reports a failed resolution with its error and no target', () => {
    const md = renderSummaryMarkdown(fixtureManifest('resolution-failed'));

    expect(md).toContain('ECS diagnostics: FAILED');
    expect(md).toContain(
      '- Error in ResolveTargets: ClusterNotFoundException: Cluster not found: payments-prod',
    );
    expect(md).not.toContain('\nTargets:');
  });

  it('lists preflight skips apart from sampling, with counts', () => {
    const md = renderSummaryMarkdown(fixtureManifest('skipped-and-left-out'));

    expect(md).toContain('2 skipped by preflight, 25 left out by sampling');
    expect(md).toContain('Skipped by preflight (2):');
    expect(md).toContain('the ExecuteCommandAgent is PENDING, not RUNNING');
    expect(md).toContain('Left out by sampling (25): 25 × sampling: maxTasks 1, one task per AZ first');
  });

  it('keeps hostile alarm, task and error text inert', () => {
    const md = renderSummaryMarkdown(fixtureManifest('hostile'));

    expect(md).not.toMatch(/(^|[^\\])<(img|script|iframe)/);
    expect(['\u202E', '\u0000'].filter((raw) => md.includes(raw))).toEqual([]);
    expect(md).toContain('\\<img src=x onerror="window.\\_\\_pwned=3"\\>\\[U+202E\\]gnp.exe\\[NUL\\]');
  });

  it('links the report to the S3 console when the region is known', () => {
    const manifest = fixtureManifest('all-succeeded');

    expect(renderSummaryMarkdown(manifest, { bucket, region: 'eu-west-1' })).toContain(
      `([open in the S3 console](https://eu-west-1.console.aws.amazon.com/s3/object/${bucket}?region=eu-west-1&prefix=${encodeURIComponent(manifest.files.report)}))`,
    );
    expect(renderSummaryMarkdown(manifest, { bucket })).not.toContain('console');
  });

  it('says so when no alarm started the run', () => {
    const { alarm: _alarm, ...manual } = fixtureManifest('all-succeeded');

    expect(renderSummaryMarkdown(manual)).toContain('- Alarm: none (a manual or scheduled run)');
  });
});
