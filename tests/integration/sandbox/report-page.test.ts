import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { renderReportHtml } from '#lib/report/report-html.ts';
import { findChromium } from '#local/chromium.ts';
import { fixtureManifest } from '#local/report-fixtures.ts';
import { presentReport } from '#local/report-page.ts';
import { describeWithChromium } from '../../support/chromium.ts';

const dirs: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-report-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('npm start: the report page', () => {
  it('says so when the run wrote no report.html', async () => {
    expect(await presentReport(folder())).toEqual([
      'No report.html among the objects of this run (WriteReport writes it next to a schema-version-2 manifest).',
    ]);
  });
});

describeWithChromium('npm start: the report page screenshot', () => {
  it('prints the page and summary paths and saves report.png next to them', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'report.html'), renderReportHtml(fixtureManifest('all-succeeded')));
    writeFileSync(join(dir, 'summary.md'), '### x\n');

    const lines = await presentReport(dir);
    const png = readFileSync(join(dir, 'report.png'));

    expect(findChromium()).toBeDefined();
    expect(lines).toEqual([
      `Report page: ${join(dir, 'report.html')}`,
      `  open it:   file://${join(dir, 'report.html')}`,
      `Summary:     ${join(dir, 'summary.md')}`,
      `Screenshot:  ${join(dir, 'report.png')}`,
    ]);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1280);
  });
});
