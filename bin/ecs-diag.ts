#!/usr/bin/env node
/**
 * The ecs-diag CLI. Each subcommand is a module in bin/commands/<name>.ts exporting
 * `description` and `run(argv): Promise<number>` (the exit code).
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Command {
  description: string;
  run(argv: string[]): Promise<number>;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
const available = readdirSync(commandsDir)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map((file) => basename(file, '.ts'))
  .sort();

async function usage(): Promise<string> {
  const lines = ['usage: ecs-diag <command> [options]', '', 'commands:'];
  for (const name of available) {
    const command = (await import(join(commandsDir, `${name}.ts`))) as Command;
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
  const command = (await import(join(commandsDir, `${name}.ts`))) as Command;
  process.exitCode = await command.run(rest);
}
