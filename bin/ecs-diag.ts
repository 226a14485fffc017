#!/usr/bin/env node
/**
 * The ecs-diag CLI. Each subcommand is a module in bin/commands/<name>.ts exporting
 * `description` and `run(argv): Promise<number>` (the exit code), listed in `commands` below.
 */
export {};

interface Command {
  description: string;
  run(argv: string[]): Promise<number>;
}

/** The subcommands, loaded on demand; literal imports so that esbuild can bundle them (build/build.mjs `cli`). */
const commands: Record<string, () => Promise<Command>> = {
  attach: () => import('./commands/attach.ts'),
  'dry-run': () => import('./commands/dry-run.ts'),
  run: () => import('./commands/run.ts'),
};
const available = Object.keys(commands).sort();

async function usage(): Promise<string> {
  const lines = ['usage: ecs-diag <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(commands).sort(([a], [b]) => a.localeCompare(b))) {
    const command = await load();
    lines.push(`  ${name.padEnd(10)} ${command.description}`);
  }
  return lines.join('\n');
}

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
  process.stdout.write(`${await usage()}\n`);
  process.exitCode = name === undefined ? 2 : 0;
} else if (!available.includes(name)) {
  process.stderr.write(`ecs-diag: unknown command ${JSON.stringify(name)}\n${await usage()}\n`);
  process.exitCode = 2;
} else {
  const command = await (commands[name] as () => Promise<Command>)();
  process.exitCode = await command.run(rest);
}
