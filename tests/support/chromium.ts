import { describe, it } from '@jest/globals';
import { CHROMIUM_MISSING, findChromium } from '#local/chromium.ts';

/**
 * `describe` for suites that need headless Chromium: without it the suite is skipped with one line naming
 * the tool and its install command, except under `CI=true`, where the missing browser fails the run.
 */
export function describeWithChromium(name: string, suite: () => void): void {
  if (findChromium() !== undefined) {
    describe(name, suite);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs chromium', () => {
        throw new Error(`${CHROMIUM_MISSING} (CI=true: browser tests may not be skipped)`);
      });
    });
    return;
  }
  process.stderr.write(`skipping "${name}": ${CHROMIUM_MISSING}\n`);
  describe.skip(name, suite);
}
