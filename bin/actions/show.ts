/**
 * `ecs-diag show RUN` (its flags: bin/commands/show.ts): a run's manifest as a readable table; `--output`
 * prints one target's captured output; `--download DIR` fetches the manifest, the report page and the outputs
 * and prints the page's path.
 */
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Manifest, ManifestTarget } from '#lib/manifest.ts';
import { downloadPrefix } from '#lib/run-files.ts';
import { keySegment, lastArnSegment, runPrefix } from '#lib/s3-keys.ts';
import { awsError, clientConfig, resolveResources } from '../cli/aws.ts';
import { CliError, EXIT } from '../cli/exit-codes.ts';
import { json } from '../cli/io.ts';
import { formatManifest, targetLabel } from '../cli/manifest-view.ts';
import { clients, describeRun, executionArnOf, manifestOf } from '../cli/runs.ts';
import type { ShowOptions } from '../commands/show.ts';
import type { CommandContext } from '../program.ts';

/** The target named by `TASK[/CONTAINER]` (a task id or ARN); the only target when none is named. */
export function pickTarget(manifest: Manifest, wanted: string | undefined): ManifestTarget {
  const [task, container] = wanted === undefined ? [] : splitTarget(wanted);
  const matches = manifest.targets.filter(
    (entry) =>
      (task === undefined || lastArnSegment(entry.target.taskArn) === lastArnSegment(task)) &&
      (container === undefined || entry.target.container === container),
  );
  const only = matches[0];
  if (only !== undefined && matches.length === 1) return only;
  const known = manifest.targets.map((entry) => targetLabel(entry.target)).join(', ') || 'none';
  if (matches.length === 0) {
    throw new CliError(
      `${wanted === undefined ? 'the run has no target' : `no target ${JSON.stringify(wanted)} in this run`} (targets: ${known})`,
      EXIT.usage,
    );
  }
  throw new CliError(
    `--target: several targets match; name one as TASK/CONTAINER (targets: ${known})`,
    EXIT.usage,
  );
}

function splitTarget(value: string): [string, string | undefined] {
  if (value.startsWith('arn:')) {
    const parts = value.split('/');
    return parts.length === 4 ? [parts.slice(0, 3).join('/'), parts[3]] : [value, undefined];
  }
  const at = value.indexOf('/');
  return at < 0 ? [value, undefined] : [value.slice(0, at), value.slice(at + 1)];
}

async function printOutput(s3: S3Client, bucket: string, entry: ManifestTarget): Promise<void> {
  if (entry.s3Key === undefined) {
    throw new CliError(
      `target ${targetLabel(entry.target)} stored no output (${entry.status}${entry.error ? `: ${entry.error.name}` : ''})`,
      EXIT.notOk,
    );
  }
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: entry.s3Key }));
    const body = object.Body as NodeJS.ReadableStream | undefined;
    if (body === undefined) return;
    for await (const chunk of body) process.stdout.write(chunk as Buffer);
  } catch (error) {
    throw awsError('s3:GetObject', `s3://${bucket}/${entry.s3Key}`, error);
  }
}

/** Runs `show`: the manifest, one target's output, or the whole run downloaded. */
export async function showRun(runArg: string, options: ShowOptions, context: CommandContext): Promise<void> {
  const globals = context.globals();
  const named = !runArg.startsWith('arn:');
  const resources = await resolveResources(
    { ...globals, ...options },
    named ? ['stateMachineArn', 'bucket'] : ['bucket'],
  );
  const bucket = resources.bucket ?? '';
  const { sfn, s3 } = clients(clientConfig(globals));
  try {
    const run = await describeRun(sfn, executionArnOf(runArg, resources.stateMachineArn));
    const found = await manifestOf(s3, bucket, run);
    if (found === undefined) {
      throw new CliError(
        `run ${run.name} has no manifest yet (execution ${run.status}); ${run.status === 'RUNNING' ? 'try again when it has finished' : 'WriteReport did not write one: see the execution in the Step Functions console'}`,
        EXIT.notOk,
      );
    }
    const { key, manifest } = found;
    if (options.output) {
      await printOutput(s3, bucket, pickTarget(manifest, options.target));
      return;
    }
    if (options.download !== undefined) {
      const folder = join(options.download, keySegment(run.name));
      const files = await downloadPrefix(s3, bucket, runPrefix(run.startDate, run.name), folder).catch(
        (error: unknown) => {
          throw awsError('s3:GetObject', `the files of ${run.name}`, error);
        },
      );
      const page = files.find((file) => file.endsWith('/report.html'));
      if (options.json) context.io.out(json({ folder, files, report: page ?? null }));
      else {
        context.io.out(`downloaded ${files.length} file(s) to ${folder}`);
        context.io.out(page ? `open ${page}` : 'this run has no report.html (written before report pages)');
      }
      return;
    }
    const shown =
      options.target === undefined
        ? manifest
        : { ...manifest, targets: [pickTarget(manifest, options.target)] };
    context.io.out(options.json ? json(shown) : formatManifest(shown, `s3://${bucket}/${key}`));
  } finally {
    sfn.destroy();
    s3.destroy();
  }
}
