import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { PartialReason } from '#lib/manifest.ts';
import { OPEN_CARDS, REPORT_CSP, renderReportHtml } from '#lib/report/report-html.ts';
import { TIMELINE_TARGET_LIMIT } from '#lib/report/timeline.ts';
import { FIXTURE_KINDS, type FixtureKind, fixtureExcerpts, fixtureManifest } from '#local/report-fixtures.ts';

function render(kind: FixtureKind): string {
  const manifest = fixtureManifest(kind);
  return renderReportHtml(manifest, fixtureExcerpts(kind, manifest), {
    bucket: 'ecs-diag-output',
    region: 'us-east-1',
  });
}

const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0;

describe('report.html', () => {
  it.each(FIXTURE_KINDS)('is one self-contained page with one card per target and no script (%s)', (kind) => {
    const manifest = fixtureManifest(kind);
    const html = render(kind);

    expect(count(html, /<details class="card /g)).toBe(manifest.targets.length);
    expect(html).toContain('<ol class="timeline">');
    expect(html).not.toMatch(
      /<(script|img|iframe|link|object|embed)\b|<[a-z][^>]*\s(src|style|on\w+)=|\shref="(?!#|https:\/\/us-east-1\.console\.aws\.amazon\.com\/s3\/object\/ecs-diag-output\?)|url\(|@import/i,
    );
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
  });

  it('allows its own stylesheet by hash and no script at all', () => {
    const html = render('all-succeeded');
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(css).digest('base64');

    expect(REPORT_CSP).toContain(`style-src 'sha256-${hash}'`);
    expect(REPORT_CSP).toContain("default-src 'none'");
    expect(REPORT_CSP).toContain("script-src 'none'");
    expect(count(html, /<style>/g)).toBe(1);
  });

  it('shows hostile output, alarm and task text as text', () => {
    const html = render('hostile');

    expect(html).toContain('&lt;script&gt;window.__pwned = 1; alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;');
    expect(html).toContain('&lt;/textarea&gt;&lt;/pre&gt;&lt;b&gt;not bold&lt;/b&gt;');
    expect(html).toContain('svc&lt;/h3&gt;&lt;script&gt;window.__pwned=5&lt;/script&gt;');
    expect(html).toContain('<span class="ctl" title="control character">U+202E</span>');
    expect(['\u202E', '\u202C', '\u0000'].filter((raw) => html.includes(raw))).toEqual([]);
  });

  it.each<PartialReason>(['exit-code', 'output-cap', 'deadline', 'session-interrupted', 'no-exit-status'])(
    'says in words why a target is partial (%s)',
    (reason) => {
      const html = render(`partial-${reason}` as FixtureKind);
      const words: Record<PartialReason, string> = {
        'exit-code': 'the script exited with a non-zero code',
        'output-cap': 'the output reached its cap and the rest was cut',
        deadline: 'the run deadline cut the capture',
        'session-interrupted': 'the data channel dropped after output was stored',
        'no-exit-status': 'the session closed before the script’s end was seen',
      };

      expect(html).toContain('<p class="why">Partial: ');
      expect(html).toContain(words[reason]);
    },
  );

  it('shows each attempt with its error and the delay before the next', () => {
    const html = render('all-failed');

    expect(count(html, /<li>#\d+ at /g)).toBe(9 + 1);
    expect(html).toContain(
      '— <b>TargetNotConnectedException</b>: The execute command failed due to an internal error.; next attempt after 10.0 s',
    );
    expect(html).toContain('<span class="badge s-failed big">FAILED</span>');
  });

  it('says how much of an output it shows and where the rest is', () => {
    const html = render('partial-output-cap');

    expect(html).toMatch(
      /first 1\d\d B of 10 MiB \(10 MiB more\) — the whole output is at <code>s3:\/\/ecs-diag-output\/runs\/.+\/checkout\/basic\.log<\/code>/,
    );
  });

  it('links each output, the manifest and the summary to the S3 console, and only with a plausible region', () => {
    const manifest = fixtureManifest('partial-exit-code');
    const html = render('partial-exit-code');
    const unlinked = renderReportHtml(manifest, new Map(), {
      bucket: 'ecs-diag-output',
      region: 'x/../evil',
    });
    const key = manifest.targets[0]?.s3Key ?? '';

    expect(html).toContain(
      `<a href="https://us-east-1.console.aws.amazon.com/s3/object/ecs-diag-output?region=us-east-1&amp;prefix=${encodeURIComponent(key)}" rel="noreferrer">S3 console</a>`,
    );
    expect(count(html, /rel="noreferrer">S3 console<\/a>/g)).toBe(2 + 2);
    expect(unlinked).not.toContain('console.aws.amazon.com');
  });

  it('reports a failed resolution: the error, no targets, the timeline to the report', () => {
    const html = render('resolution-failed');

    expect(html).toContain(
      '<p class="err"><b>ResolveTargets: ClusterNotFoundException</b> — Cluster not found: payments-prod</p>',
    );
    expect(html).toContain('No target ran: see the run errors above.');
    expect(html).toContain('target resolution failed: ClusterNotFoundException');
    expect(html).toContain('manifest and report written');
  });

  it('lists preflight skips and sampling left-outs apart, with readiness findings', () => {
    const skipped = render('skipped-and-left-out');
    const readiness = render('readiness');

    expect(skipped).toContain('<h2 id="skipped">Skipped by preflight (2)</h2>');
    expect(skipped).toContain('<h2 id="left-out">Left out by sampling (25)</h2>');
    expect(readiness).toContain('<b class="c-fail">✗ fail</b> ExecuteCommandAgent is RUNNING');
    expect(readiness).toContain('Fix: wait for the agent, or restart the task with enableExecuteCommand');
    expect(readiness).toContain('<b class="c-warn">! warn</b> Task role allows ssmmessages:*');
  });

  it('keeps big runs light: grouped by service, few open cards, milestones instead of every attempt', () => {
    const manifest = fixtureManifest('targets-1000');
    const html = render('targets-1000');

    expect(count(html, /<details class="card [^"]+" id="target-\d+" open>/g)).toBe(OPEN_CARDS);
    expect(count(html, /<section class="service" id="service-\d">/g)).toBe(8);
    expect(count(html, /<tr><td><a href="#service-\d">service-0\d<\/a><\/td>/g)).toBe(8);
    expect(manifest.targets.length).toBeGreaterThan(TIMELINE_TARGET_LIMIT);
    expect(count(html, /<li class="k-/g)).toBeLessThan(12);
    expect(html).toContain('… and 700 more in manifest.json.');
    expect(Buffer.byteLength(html)).toBeLessThan(4 * 1024 * 1024);
  });

  it('counts from the run start when the alarm changed long before it (a replayed event), and says so', () => {
    const manifest = fixtureManifest('all-succeeded');
    const replayed = {
      ...manifest,
      startedAt: '2025-03-16T12:00:00.000Z',
      writtenAt: '2025-03-16T12:00:09.000Z',
    };
    const html = renderReportHtml(replayed, new Map());

    expect(html).toContain("The run started 2 d 2 h after the alarm's state change");
    expect(html).toMatch(/<time [^>]*>2025-03-14 09:27:41 UTC<\/time><span class="what">alarm state changed/);
    expect(html).toMatch(/<time [^>]*>\+9\.0 s<\/time><span class="what">manifest and report written/);
  });

  it('opens every card of a small run and follows each target through the timeline', () => {
    const html = render('all-succeeded');

    expect(count(html, /<details class="card [^"]+" id="target-\d+" open>/g)).toBe(2);
    expect(html).toContain('attempt 1 failed</span><span class="detail">TargetNotConnectedException');
    expect(html).toContain('capture ended, succeeded');
    expect(html).toMatch(
      /<time datetime="2025-03-14T09:27:41.516Z"[^>]*>\+0 ms<\/time><span class="what">alarm state changed: OK → ALARM/,
    );
  });
});
