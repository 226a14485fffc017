/**
 * start-run's domain: decide (normalise + filters), apply the cooldown, start the execution, and count
 * ExecutionAlreadyExists as the duplicate it is.
 */
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { findRecentRun } from './cooldown.ts';
import { cooldownPrefix } from './execution-name.ts';
import { decide, type StartDecision, type TriggerConfig } from './normalise.ts';

/** What happened to one alarm notification or schedule tick. */
export interface RunOutcome {
  outcome: 'started' | 'duplicate' | 'ignored' | 'cooldown';
  executionName?: string;
  executionArn?: string;
  alarmName?: string;
  reason?: string;
}

/** start-run's configuration. */
export interface StartConfig extends TriggerConfig {
  stateMachineArn: string;
  cooldownSeconds: number;
}

/** A StartExecution answer whose startDate is this much older than the call is an earlier, identical start. */
const SAME_START_TOLERANCE_MS = 2_000;

function isExecutionAlreadyExists(error: unknown): boolean {
  return error instanceof Error && error.name === 'ExecutionAlreadyExists';
}

async function startOne(sfn: SFNClient, config: StartConfig, decision: StartDecision): Promise<RunOutcome> {
  const alarmName = decision.request.source.alarmName;
  const base: RunOutcome = { outcome: 'started', executionName: decision.executionName };
  if (alarmName !== undefined) base.alarmName = alarmName;

  if (decision.cooldown !== undefined && config.cooldownSeconds > 0) {
    const now = config.now();
    const recent = await findRecentRun(sfn, {
      stateMachineArn: config.stateMachineArn,
      prefix: cooldownPrefix(decision.cooldown.key),
      since: new Date(now.getTime() - config.cooldownSeconds * 1000),
      exclude: decision.executionName,
    });
    if (recent !== undefined) {
      const until = new Date(recent.startDate.getTime() + config.cooldownSeconds * 1000).toISOString();
      return {
        ...base,
        outcome: 'cooldown',
        reason: `execution ${recent.name} (${recent.status}) started at ${recent.startDate.toISOString()} for the same cluster/service/script; next run allowed after ${until}`,
      };
    }
  }

  const calledAt = config.now().getTime();
  try {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: config.stateMachineArn,
        name: decision.executionName,
        input: JSON.stringify(decision.request),
      }),
    );
    const startDate = started.startDate?.getTime() ?? calledAt;
    const outcome = calledAt - startDate > SAME_START_TOLERANCE_MS ? 'duplicate' : 'started';
    const result: RunOutcome = { ...base, outcome };
    if (started.executionArn !== undefined) result.executionArn = started.executionArn;
    if (outcome === 'duplicate') result.reason = 'an execution with this name and input is already running';
    return result;
  } catch (error) {
    if (isExecutionAlreadyExists(error)) {
      return { ...base, outcome: 'duplicate', reason: 'an execution with this name already exists' };
    }
    throw error;
  }
}

/** Handles one start-run event end to end; returns one outcome per notification it carried. */
export async function startRuns(event: unknown, sfn: SFNClient, config: StartConfig): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  for (const decision of decide(event, config)) {
    if (decision.action === 'ignore') {
      const ignored: RunOutcome = { outcome: 'ignored', reason: decision.reason };
      if (decision.alarmName !== undefined) ignored.alarmName = decision.alarmName;
      outcomes.push(ignored);
    } else {
      outcomes.push(await startOne(sfn, config, decision));
    }
  }
  return outcomes;
}
