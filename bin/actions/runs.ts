/**
 * `ecs-diag runs` (its flags: bin/commands/runs.ts): recent runs, newest first, with outcome and counts (the
 * executions and their manifests).
 */
import { lastArnSegment } from '#lib/s3-keys.ts';
import { clientConfig, resolveResources } from '../cli/aws.ts';
import { CliError, EXIT } from '../cli/exit-codes.ts';
import { json, table } from '../cli/io.ts';
import { countsLine } from '../cli/manifest-view.ts';
import { clients, listRuns, manifestOf } from '../cli/runs.ts';
import { EXECUTION_STATUSES, OUTCOMES, type RunsOptions } from '../commands/runs.ts';
import type { CommandContext } from '../program.ts';

/** The request's cluster and service(s) of a manifest, for filtering and display. */
function scopeOf(request: unknown): { cluster?: string; service?: string } {
  const record = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
  const cluster = typeof record.cluster === 'string' ? lastArnSegment(record.cluster) : undefined;
  const service = typeof record.service === 'string' ? lastArnSegment(record.service) : undefined;
  return { ...(cluster ? { cluster } : {}), ...(service ? { service } : {}) };
}

/** Runs `runs`: the recent runs, filtered, as a table or JSON. */
export async function listRecentRuns(options: RunsOptions, context: CommandContext): Promise<void> {
  const status = options.status;
  if (status !== undefined && !OUTCOMES.includes(status) && !EXECUTION_STATUSES.includes(status)) {
    throw new CliError(
      `--status ${JSON.stringify(status)}: use one of ${[...OUTCOMES, ...EXECUTION_STATUSES].join(', ')}`,
      EXIT.usage,
    );
  }
  const globals = context.globals();
  const resources = await resolveResources({ ...globals, ...options }, ['stateMachineArn', 'bucket']);
  const { sfn, s3 } = clients(clientConfig(globals));
  try {
    const refs = await listRuns(sfn, resources.stateMachineArn ?? '', {
      limit: options.limit,
      ...(options.since !== undefined ? { since: new Date(Date.now() - options.since) } : {}),
      ...(status !== undefined && EXECUTION_STATUSES.includes(status) ? { status } : {}),
    });
    const rows = [];
    for (const ref of refs) {
      if (rows.length >= options.limit) break;
      const found = await manifestOf(s3, resources.bucket ?? '', ref);
      const scope = scopeOf(found?.manifest.request);
      if (options.cluster && scope.cluster !== lastArnSegment(options.cluster)) continue;
      if (options.service && scope.service !== lastArnSegment(options.service)) continue;
      if (status !== undefined && OUTCOMES.includes(status) && found?.manifest.outcome !== status) continue;
      rows.push({
        name: ref.name,
        status: ref.status,
        startDate: ref.startDate.toISOString(),
        outcome: found?.manifest.outcome ?? null,
        counts: found ? found.manifest.summary : null,
        alarm: found?.manifest.alarm?.name ?? null,
        ...scope,
        manifest: found ? `s3://${resources.bucket}/${found.key}` : null,
        countsText: found ? countsLine(found.manifest) : ref.status === 'RUNNING' ? 'running' : 'no manifest',
      });
    }
    if (options.json) {
      context.io.out(json({ runs: rows.map(({ countsText: _, ...row }) => row) }));
      return;
    }
    if (rows.length === 0) {
      context.io.out('no runs match');
      return;
    }
    context.io.out(
      table(
        ['STARTED', 'RUN', 'EXECUTION', 'OUTCOME', 'CLUSTER/SERVICE', 'TARGETS'],
        rows.map((row) => [
          row.startDate.replace(/\.\d+Z$/, 'Z'),
          row.name,
          row.status,
          row.outcome ?? '',
          [row.cluster, row.service].filter(Boolean).join('/'),
          row.countsText,
        ]),
      ),
    );
  } finally {
    sfn.destroy();
    s3.destroy();
  }
}
