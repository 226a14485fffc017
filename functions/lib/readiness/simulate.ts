/** IAM policy simulation (iam:SimulatePrincipalPolicy): the decision per action, never guessed from policy text. */
import { type ContextEntry, type IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';

/** One action's decision as IAM gives it. */
export interface Decision {
  action: string;
  resource: string;
  decision: string;
  /** Set when an Organizations SCP or a permissions boundary took part and denied. */
  deniedBy?: string;
}

/** Most pages of results read (a handful of actions fit on one). */
const MAX_PAGES = 5;

/** Simulates `actions` on `resources` for `principalArn`; errors (denied, NoSuchEntity ...) pass through. */
export async function simulate(
  iam: IAMClient,
  principalArn: string,
  actions: string[],
  resources: string[],
  context: ContextEntry[] = [],
): Promise<Decision[]> {
  const decisions: Decision[] = [];
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: principalArn,
        ActionNames: actions,
        ResourceArns: resources,
        ...(context.length > 0 ? { ContextEntries: context } : {}),
        ...(marker !== undefined ? { Marker: marker } : {}),
      }),
    );
    for (const result of answer.EvaluationResults ?? []) {
      const decision: Decision = {
        action: result.EvalActionName ?? '?',
        resource: result.EvalResourceName ?? '*',
        decision: result.EvalDecision ?? 'unknown',
      };
      if (result.OrganizationsDecisionDetail?.AllowedByOrganizations === false) decision.deniedBy = 'an SCP';
      else if (result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary === false)
        decision.deniedBy = 'the permissions boundary';
      decisions.push(decision);
    }
    if (answer.IsTruncated !== true || answer.Marker === undefined) break;
    marker = answer.Marker;
  }
  return decisions;
}

/** The actions not allowed, each with its decision (`implicitDeny`, `explicitDeny`). */
export function refused(decisions: readonly Decision[]): string[] {
  return decisions
    .filter((entry) => entry.decision !== 'allowed')
    .map((entry) => `${entry.action} (${entry.decision}${entry.deniedBy ? ` by ${entry.deniedBy}` : ''})`);
}
