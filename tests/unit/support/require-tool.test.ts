import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findOnPath, requireTools } from '../../support/require-tool.ts';

describe('tests/support requireTools', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecsdiag-tools-'));
    writeFileSync(join(dir, 'faketool'), '#!/bin/sh\n');
    chmodSync(join(dir, 'faketool'), 0o755);
    writeFileSync(join(dir, 'notexec'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const tool = { tool: 'faketool', install: 'apt-get install faketool' };

  it('finds an executable on PATH and nothing that is not executable', () => {
    expect(findOnPath('faketool', `/nonexistent:${dir}`)).toBe(join(dir, 'faketool'));
    expect(findOnPath('notexec', dir)).toBeUndefined();
  });

  it('is true without a word when the tool is there', () => {
    const lines: string[] = [];

    expect(requireTools([tool], { PATH: dir }, (line) => lines.push(line))).toBe(true);
    expect(lines).toEqual([]);
  });

  it('skips with one line naming the tool and its install command when it is missing', () => {
    const lines: string[] = [];

    expect(requireTools([tool], { PATH: '/nonexistent' }, (line) => lines.push(line))).toBe(false);
    expect(lines).toEqual(['skipped: needs faketool (apt-get install faketool)']);
  });

  it('fails instead of skipping under CI=true', () => {
    expect(() => requireTools([tool], { PATH: '/nonexistent', CI: 'true' }, () => undefined)).toThrow(
      'skipped: needs faketool (apt-get install faketool); CI must have it: add it to .ci/run',
    );
  });
});
