import { main } from '../../../bin/program.ts';

/** Runs ecs-diag in process; returns its exit code and what it printed on stdout and stderr. */
export async function ecsDiag(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
