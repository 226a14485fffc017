import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionsOf, inlineStatements, loadTemplate, resourcesOfType } from '../../support/template.ts';

const template = loadTemplate();
const definition = readFileSync(join(process.cwd(), 'statemachines/diagnostics.asl.json'), 'utf8');

/** Every Retry rule of the definition, however deeply its state is nested (Map iterators included). */
function retryRules(node: unknown): Array<{ ErrorEquals: string[] }> {
  if (Array.isArray(node)) return node.flatMap(retryRules);
  if (typeof node !== 'object' || node === null) return [];
  const record = node as Record<string, unknown>;
  const own = Array.isArray(record.Retry) ? (record.Retry as Array<{ ErrorEquals: string[] }>) : [];
  return [...own, ...Object.values(record).flatMap(retryRules)];
}

describe('template.yaml and the definition, where AWS is stricter than the emulators', () => {
  it('grants ecs:ListTasks on the container-instance resource only (with the ecs:cluster condition)', () => {
    const statements = resourcesOfType(template, 'AWS::Serverless::Function')
      .flatMap(([, resource]) => inlineStatements(resource))
      .filter((statement) => actionsOf(statement).includes('ecs:ListTasks'));
    const [statement] = statements;
    if (statement === undefined) throw new Error('no statement grants ecs:ListTasks');

    expect(statements).toHaveLength(1);
    expect(actionsOf(statement)).toEqual(['ecs:ListTasks']);
    expect(JSON.stringify(statement.Resource)).toMatch(/container-instance\/\*/);
    expect(JSON.stringify(statement.Resource)).not.toMatch(/task\//);
    expect(statement.Condition).toHaveProperty(['ArnLike', 'ecs:cluster']);
  });

  it.each(
    [
      ...resourcesOfType(template, 'AWS::Logs::LogGroup'),
      ...resourcesOfType(template, 'AWS::SQS::Queue'),
    ].map(([id, resource]) => [id, resource] as const),
  )('%s states both DeletionPolicy and UpdateReplacePolicy (cfn-lint I3011)', (_id, resource) => {
    const policies = resource as { DeletionPolicy?: string; UpdateReplacePolicy?: string };

    expect(policies.DeletionPolicy).toMatch(/^(Delete|Retain|RetainExceptOnCreate|Snapshot)$/);
    expect(policies.UpdateReplacePolicy).toMatch(/^(Delete|Retain|Snapshot)$/);
  });

  it("retries Lambda.ClientExecutionTimeoutException wherever it retries the Lambda service errors (AWS's list)", () => {
    const lambdaRules = retryRules(JSON.parse(definition)).filter((rule) =>
      rule.ErrorEquals.includes('Lambda.ServiceException'),
    );

    expect(lambdaRules.length).toBeGreaterThanOrEqual(3);
    for (const rule of lambdaRules) {
      expect(rule.ErrorEquals).toEqual(
        expect.arrayContaining([
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
          'Lambda.ClientExecutionTimeoutException',
        ]),
      );
    }
  });

  it("gives every Lambda task a TimeoutSeconds above its function's Timeout, so Lambda's own timeout error comes first", () => {
    const tasks: Array<{ state: string; functionId: string; timeoutSeconds: unknown }> = [];
    const visit = (states: Record<string, Record<string, unknown>>) => {
      for (const [state, body] of Object.entries(states)) {
        const match = /^\$\{(\w+)FunctionArn\}$/.exec(String(body.Resource ?? ''));
        if (match?.[1] !== undefined) {
          tasks.push({ state, functionId: `${match[1]}Function`, timeoutSeconds: body.TimeoutSeconds });
        }
        const processor = body.ItemProcessor as
          | { States?: Record<string, Record<string, unknown>> }
          | undefined;
        if (processor?.States !== undefined) visit(processor.States);
      }
    };
    visit((JSON.parse(definition) as { States: Record<string, Record<string, unknown>> }).States);
    const globals = (template as { Globals?: { Function?: { Timeout?: number } } }).Globals?.Function;
    const functions = Object.fromEntries(resourcesOfType(template, 'AWS::Serverless::Function'));

    expect(tasks.length).toBeGreaterThanOrEqual(6);
    for (const task of tasks) {
      const properties = (functions[task.functionId] as { Properties?: { Timeout?: number } } | undefined)
        ?.Properties;
      const functionTimeout = properties?.Timeout ?? globals?.Timeout ?? 3;
      expect({ state: task.state, above: Number(task.timeoutSeconds) > functionTimeout }).toEqual({
        state: task.state,
        above: true,
      });
    }
  });
});
