import { jest } from '@jest/globals';
import { main } from '../../../bin/program.ts';

/** Runs `ecs-diag dry-run` in process and returns its exit code and the JSON it printed. */
export async function dryRun(argv: string[]): Promise<{ code: number; output: Record<string, unknown> }> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    const code = await main(['dry-run', ...argv], {
      out: (t) => chunks.push(`${t}\n`),
      err: () => {},
      interactive: false,
    });
    return { code, output: JSON.parse(chunks.join('')) as Record<string, unknown> };
  } finally {
    spy.mockRestore();
  }
}
