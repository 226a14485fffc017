/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Page } from 'puppeteer-core';
import { renderReportHtml } from '#lib/report/report-html.ts';
import { type LaunchedChromium, launchChromium } from '#local/chromium.ts';
import { type FixtureKind, fixtureExcerpts, fixtureManifest } from '#local/report-fixtures.ts';
import { describeWithChromium } from '../../support/chromium.ts';

const KINDS: FixtureKind[] = [
  'all-succeeded',
  'partial-output-cap',
  'all-failed',
  'resolution-failed',
  'skipped-and-left-out',
  'readiness',
  'hostile',
  'targets-200',
  'targets-1000',
];
const WIDTHS = [1280, 390];

interface Loaded {
  page: Page;
  requests: string[];
  consoleErrors: string[];
  dialogs: string[];
}

describeWithChromium('report.html in headless Chromium', () => {
  let chromium: LaunchedChromium;
  let dir: string;
  const file = (kind: string) => join(dir, `${kind}.html`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-page-'));
    for (const kind of KINDS) {
      const manifest = fixtureManifest(kind);
      writeFileSync(
        file(kind),
        renderReportHtml(manifest, fixtureExcerpts(kind, manifest), {
          bucket: 'ecs-diag-output',
          region: 'us-east-1',
        }),
      );
    }
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a file with every request other than the document itself recorded and refused. */
  async function open(path: string, width: number): Promise<Loaded> {
    const page = await chromium.browser.newPage();
    const loaded: Loaded = { page, requests: [], consoleErrors: [], dialogs: [] };
    const url = `file://${path}`;
    await page.setViewport({ width, height: 900 });
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.url() === url && request.isNavigationRequest()) {
        void request.continue();
        return;
      }
      loaded.requests.push(request.url());
      void request.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') loaded.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => loaded.consoleErrors.push(String(error)));
    page.on('dialog', (dialog) => {
      loaded.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(url, { waitUntil: 'load' });
    return loaded;
  }

  for (const kind of KINDS) {
    for (const width of WIDTHS) {
      it(`${kind} at ${width} px: no request, no console error, the timeline and every card visible`, async () => {
        const { page, requests, consoleErrors, dialogs } = await open(file(kind), width);
        try {
          const seen = await page.evaluate(() => {
            const visible = (element: Element) => {
              const box = element.getBoundingClientRect();
              return (
                element.checkVisibility() &&
                box.width > 0 &&
                box.height > 0 &&
                box.left >= 0 &&
                box.right <= window.innerWidth + 1
              );
            };
            const cards = [...document.querySelectorAll('details.card')];
            const timeline = document.querySelector('#timeline');
            return {
              timeline: timeline !== null && visible(timeline),
              timelineEvents: document.querySelectorAll('#timeline li').length,
              cards: cards.length,
              hiddenCards: cards
                .filter((card) => !visible(card.querySelector('summary') ?? card))
                .map((card) => card.id),
              pageWidth: document.documentElement.scrollWidth,
            };
          });

          expect(requests).toEqual([]);
          expect(consoleErrors).toEqual([]);
          expect(dialogs).toEqual([]);
          expect(seen.timeline).toBe(true);
          expect(seen.timelineEvents).toBeGreaterThan(1);
          expect(seen.cards).toBe(fixtureManifest(kind).targets.length);
          expect(seen.hiddenCards).toEqual([]);
          expect(seen.pageWidth).toBeLessThanOrEqual(width);
        } finally {
          await page.close();
        }
      });
    }
  }

  it('shows hostile output, alarm and task text as text and runs none of it', async () => {
    const { page, requests, consoleErrors, dialogs } = await open(file('hostile'), 1280);
    try {
      const state = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: unknown }).__pwned,
        active: document.querySelectorAll(
          'script, img, iframe, link, object, embed, textarea, [href]:not([href^="#"]):not([href^="https://us-east-1.console.aws.amazon.com/s3/object/"])',
        ).length,
        output: document.querySelector('pre.out')?.textContent ?? '',
        title: document.querySelector('h1')?.textContent ?? '',
        controls: [...document.querySelectorAll('pre.out .ctl')].map((element) => element.textContent),
      }));

      expect(state.pwned).toBeUndefined();
      expect(state.active).toBe(0);
      expect(state.output).toContain('<script>window.__pwned = 1; alert(1)</script>');
      expect(state.output).toContain('<img src=x onerror="window.__pwned = 2">');
      expect(state.output).toContain('</textarea></pre><b>not bold</b>');
      expect(state.controls).toEqual(['U+202E', 'U+202C', 'NUL']);
      expect(state.title).toBe('cpu-high <img src=x onerror="window.__pwned=3">U+202Egnp.exeNUL');
      expect([requests, consoleErrors, dialogs]).toEqual([[], [], []]);
    } finally {
      await page.close();
    }
  });

  it('has a Content-Security-Policy that blocks a script or style that got into the page', async () => {
    const manifest = fixtureManifest('all-succeeded');
    const injected = renderReportHtml(manifest).replace(
      '</main>',
      '<script>window.__ran = 1</script><p id="styled" style="color: rgb(255, 0, 0)">x</p></main>',
    );
    writeFileSync(file('injected'), injected);
    const { page, consoleErrors } = await open(file('injected'), 1280);
    try {
      const state = await page.evaluate(() => ({
        ran: (window as unknown as { __ran?: unknown }).__ran,
        color: getComputedStyle(document.querySelector('#styled') as Element).color,
        styled: getComputedStyle(document.querySelector('h1') as Element).fontWeight,
      }));

      expect(state.ran).toBeUndefined();
      expect(state.color).not.toBe('rgb(255, 0, 0)');
      expect(Number(state.styled)).toBeGreaterThanOrEqual(600);
      expect(consoleErrors.some((text) => text.includes('Content Security Policy'))).toBe(true);
    } finally {
      await page.close();
    }
  });
});
