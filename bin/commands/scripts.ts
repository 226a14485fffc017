/** `ecs-diag scripts`: the catalog: name, what it collects, the tools it uses, its caps and timeouts. */
import type { Command } from 'commander';
import { catalogScriptNames, getCatalogScript } from '#lib/catalog.ts';
import { bytes, json, table } from '../cli/io.ts';
import type { CommandContext } from '../program.ts';

/** Adds `scripts` to the program. */
export function registerScripts(program: Command, context: CommandContext): void {
  program
    .command('scripts')
    .description('list the diagnostic script catalog (what each collects, needs, and its limits)')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => {
      const scripts = catalogScriptNames().flatMap((name) => {
        const script = getCatalogScript(name);
        return script === undefined
          ? []
          : [
              {
                name: script.name,
                description: script.description,
                tools: script.tools,
                timeoutSeconds: script.timeoutSeconds,
                outputCapBytes: script.outputCapBytes,
                sha256: script.sha256,
              },
            ];
      });
      if (options.json) {
        context.io.out(json({ scripts }));
        return;
      }
      context.io.out(
        table(
          ['NAME', 'TIMEOUT', 'CAP', 'USES (when present)', 'COLLECTS'],
          scripts.map((s) => [
            s.name,
            `${s.timeoutSeconds}s`,
            bytes(s.outputCapBytes),
            s.tools,
            s.description,
          ]),
        ),
      );
    });
}
