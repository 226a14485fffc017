/**
 * The cooldown without a database: every execution name starts with the cooldown key of its
 * (cluster, service, script), and ListExecutions returns the newest executions first, so the most recent
 * run of the same work is found by reading back only as far as the window reaches.
 */
import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** A run inside the cooldown window. */
export interface RecentRun {
  name: string;
  startDate: Date;
  status: string;
}

/**
 * Finds the newest execution of the state machine whose name starts with `prefix` and that started at
 * or after `since`; `exclude` (the name about to be started) does not count, so a duplicate delivery
 * still reaches StartExecution and is reported as a duplicate.
 */
export async function findRecentRun(
  sfn: SFNClient,
  options: { stateMachineArn: string; prefix: string; since: Date; exclude?: string },
): Promise<RecentRun | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: options.stateMachineArn, maxResults: 1000, nextToken }),
    );
    for (const execution of page.executions ?? []) {
      const startDate = execution.startDate;
      if (startDate === undefined) continue;
      if (startDate.getTime() < options.since.getTime()) return undefined; // newest first: nothing older matters
      const name = execution.name ?? '';
      if (name !== options.exclude && name.startsWith(options.prefix)) {
        return { name, startDate, status: execution.status ?? 'UNKNOWN' };
      }
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return undefined;
}
