/**
 * Headless Chromium (Debian's `chromium` package) driven by puppeteer-core: no browser download, a fresh
 * profile per launch, and the switches that keep it from calling home. Used by the browser tests and by
 * `npm start` to screenshot the sample run's report.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium binary to use (`CHROMIUM_PATH`, else Debian's), or undefined when none is installed. */
export function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return existsSync(configured) ? configured : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

/** One line telling how to get Chromium, for skips and errors. */
export const CHROMIUM_MISSING =
  'chromium is not installed (no /usr/bin/chromium): apt-get install -y --no-install-recommends chromium';

/** A launched browser and the way to close it (which also removes its profile). */
export interface LaunchedChromium {
  browser: Browser;
  close(): Promise<void>;
}

/** Launches headless Chromium with a throw-away profile; throws when it is not installed. */
export async function launchChromium(): Promise<LaunchedChromium> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(CHROMIUM_MISSING);
  const profile = mkdtempSync(join(tmpdir(), 'ecs-diag-chromium-'));
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-dev-shm-usage',
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a PNG of an HTML file as it looks `width` pixels wide (the whole page unless `fullPage` is false). */
export async function screenshotFile(
  chromium: LaunchedChromium,
  htmlPath: string,
  pngPath: string,
  options: { width?: number; height?: number; fullPage?: boolean } = {},
): Promise<void> {
  const page = await chromium.browser.newPage();
  try {
    await page.setViewport({ width: options.width ?? 1280, height: options.height ?? 900 });
    await page.goto(`file://${htmlPath}`, { waitUntil: 'load' });
    await page.screenshot({ path: pngPath as `${string}.png`, fullPage: options.fullPage ?? true });
  } finally {
    await page.close();
  }
}
