/** What `npm start` says about a run's report page: where it is, and a screenshot of it when Chromium is here. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_MISSING, findChromium, launchChromium, screenshotFile } from './chromium.ts';

/**
 * Lines naming the downloaded `report.html` and `summary.md` of a run, after saving `report.png` (the page at
 * 1280 px, whole) next to them when Chromium is installed. A failed screenshot is reported, never thrown.
 */
export async function presentReport(destination: string): Promise<string[]> {
  const page = join(destination, 'report.html');
  if (!existsSync(page))
    return [
      'No report.html among the objects of this run (WriteReport writes it next to a schema-version-2 manifest).',
    ];
  const lines = [`Report page: ${page}`, `  open it:   file://${page}`];
  const summary = join(destination, 'summary.md');
  if (existsSync(summary)) lines.push(`Summary:     ${summary}`);
  if (findChromium() === undefined) return [...lines, `  (no screenshot: ${CHROMIUM_MISSING})`];
  const png = join(destination, 'report.png');
  try {
    const chromium = await launchChromium();
    try {
      await screenshotFile(chromium, page, png, { width: 1280 });
    } finally {
      await chromium.close();
    }
    lines.push(`Screenshot:  ${png}`);
  } catch (error) {
    lines.push(`  (no screenshot: ${(error as Error).message.split('\n')[0]})`);
  }
  return lines;
}
