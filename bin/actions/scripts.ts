/**
 * `ecs-diag scripts` (its flags: bin/commands/scripts.ts): the catalog: name, what it collects, the tools it
 * uses, its caps and timeouts.
 */
import { catalogScriptNames, getCatalogScript } from '#lib/catalog.ts';
import { bytes, json, table } from '../cli/io.ts';
import type { CommandContext } from '../program.ts';

/** Runs `scripts`: the catalog as a table or JSON. */
export function listScripts(options: { json?: boolean }, context: CommandContext): void {
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
      scripts.map((s) => [s.name, `${s.timeoutSeconds}s`, bytes(s.outputCapBytes), s.tools, s.description]),
    ),
  );
}
