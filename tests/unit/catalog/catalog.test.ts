import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { buildExecCommand, MAX_COMMAND_LENGTH, newNonce } from '#lib/capture/command.ts';
import { catalogScriptNames, getCatalogScript, isCatalogScript } from '#lib/catalog.ts';
import {
  DIAGNOSTICS_DIR,
  GENERATED_MODULE,
  readCatalog,
  renderCatalogModule,
} from '../../../build/generate-catalog.ts';
import { BUSYBOX, DASH, describeWithTools } from '../../support/require-tool.ts';

const SHELLS: [string, string[]][] = [
  ['dash', ['dash', '-n']],
  ['busybox sh', ['busybox', 'sh', '-n']],
];

function syntaxCheck(argv: string[], text: string): { status: number | null; stderr: string } {
  const [program, ...args] = argv;
  const result = spawnSync(program ?? 'false', args, { input: text, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, stderr: result.stderr };
}

describe('catalog', () => {
  it('lists the issue scripts and only them', () => {
    // Arrange / Act
    const names = catalogScriptNames();

    // Assert
    expect([...names].sort()).toEqual(['basic', 'cpu', 'jvm', 'memory', 'network', 'node', 'python']);
    expect(isCatalogScript('basic')).toBe(true);
    expect(isCatalogScript('rm -rf /')).toBe(false);
    expect(isCatalogScript('constructor')).toBe(false);
  });

  it('keeps the generated module in step with diagnostics/ (run `node build/generate-catalog.ts`)', () => {
    // Arrange
    const expected = renderCatalogModule(readCatalog(DIAGNOSTICS_DIR));

    // Act
    const actual = readFileSync(GENERATED_MODULE, 'utf8');

    // Assert
    expect(actual).toBe(expected);
  });

  it.each(catalogScriptNames().map((name) => [name]))('%s has its metadata within limits', (name) => {
    const script = getCatalogScript(name);

    expect(script?.description.length).toBeGreaterThan(20);
    expect(script?.timeoutSeconds).toBeGreaterThanOrEqual(5);
    expect(script?.outputCapBytes).toBeGreaterThanOrEqual(1024);
    expect(script?.tools).not.toBe('');
    expect(script?.text).not.toMatch(/^#/m);
  });

  it.each(catalogScriptNames().map((name) => [name]))('%s fits in one ExecuteCommand command', (name) => {
    const script = getCatalogScript(name);

    const command = buildExecCommand(script?.text ?? '', newNonce());

    expect(command.length).toBeLessThanOrEqual(MAX_COMMAND_LENGTH);
  });
});

describeWithTools([DASH, BUSYBOX])('catalog scripts under dash and busybox sh', () => {
  const cases = catalogScriptNames().flatMap((name) =>
    SHELLS.map(([shell, argv]) => [name, shell, argv] as const),
  );
  it.each(cases)('%s passes sh -n under %s (source file and the text sent)', (name, _shell, argv) => {
    // Arrange
    const source = readFileSync(join(DIAGNOSTICS_DIR, `${name}.sh`), 'utf8');
    const sent = getCatalogScript(name)?.text ?? '';

    // Act
    const checks = [syntaxCheck(argv, source), syntaxCheck(argv, sent)];

    // Assert
    for (const check of checks) expect(check).toEqual({ status: 0, stderr: '' });
  });

  it('rejects a script with a syntax error (the check can fail)', () => {
    for (const [, argv] of SHELLS) expect(syntaxCheck(argv, 'if true; then echo\n').status).not.toBe(0);
  });
});
