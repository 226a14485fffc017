import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  actionsOf,
  inlineStatements,
  loadTemplate,
  type PolicyStatement,
  resourcesOfType,
} from '../../support/template.ts';

const root = process.cwd();
const template = loadTemplate();

/** IAM service prefixes of the SDK clients whose actions map one to one onto API commands. */
const CLIENT_PREFIX: Record<string, string> = {
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-iam': 'iam',
};

/** A source file and every project file it imports, transitively (`#lib/...` and relative `.ts` imports). */
function sourceClosure(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/from\s+'([^']+\.ts)'/g)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('#lib/')) pending.push(join(root, 'functions/lib', specifier.slice(5)));
      else if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
    }
  }
  return [...seen];
}

/** The `service:Action` of every ECS, CloudWatch, Step Functions, EC2 and IAM command the code sends. */
function actionsCalled(files: string[]): Set<string> {
  const actions = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z0-9-]+)'/g)) {
      const prefix = CLIENT_PREFIX[match[2] as string];
      if (prefix === undefined) continue;
      for (const name of (match[1] as string).matchAll(/\b([A-Z][A-Za-z]+)Command\b/g)) {
        if (new RegExp(`new\\s+${name[1]}Command\\(`).test(text)) actions.add(`${prefix}:${name[1]}`);
      }
    }
  }
  return actions;
}

const functions = resourcesOfType(template, 'AWS::Serverless::Function').map(([id, resource]) => {
  const environment = resource.Properties?.Environment as
    | { Variables?: { POWERTOOLS_SERVICE_NAME?: string } }
    | undefined;
  const folder = environment?.Variables?.POWERTOOLS_SERVICE_NAME ?? id;
  return [id, folder, resource] as const;
});

describe('template.yaml least privilege', () => {
  it.each(functions)(
    '%s is granted only the ECS, CloudWatch, Step Functions, EventBridge, SNS, EC2 and IAM actions functions/%s calls',
    (_id, folder, resource) => {
      const called = actionsCalled(sourceClosure(join(root, 'functions', folder, 'handler.ts')));
      const granted = inlineStatements(resource)
        .filter((statement) => statement.Effect === 'Allow')
        .flatMap(actionsOf)
        .filter((action) => /^(ecs|cloudwatch|states|events|sns|ec2|iam):/.test(action));

      const unused = granted.filter((action) => !called.has(action));

      expect(unused).toEqual([]);
    },
  );

  it('sees the calls it checks (the scan is not vacuous)', () => {
    const called = actionsCalled(sourceClosure(join(root, 'functions/resolve-targets/handler.ts')));

    expect([...called].sort()).toEqual(
      expect.arrayContaining([
        'cloudwatch:DescribeAlarms',
        'cloudwatch:ListTagsForResource',
        'ecs:DescribeTasks',
        'ecs:ListTasks',
      ]),
    );
  });

  it('lets write-report publish to its bus and its topic only, and grants every publish it sends', () => {
    const called = actionsCalled(sourceClosure(join(root, 'functions/write-report/handler.ts')));
    const resource = functions.find(([, folder]) => folder === 'write-report')?.[2];
    if (resource === undefined) throw new Error('no WriteReportFunction in the template');
    // The SNS grant is conditional (`!If [HasNotificationTopic, {Statement}, !Ref AWS::NoValue]`).
    const conditional = ((resource.Properties?.Policies ?? []) as Record<string, unknown>[]).flatMap(
      (policy) =>
        (policy['Fn::If'] as [string, { Statement?: PolicyStatement[] }] | undefined)?.[1]?.Statement ?? [],
    );
    const statements = [...inlineStatements(resource), ...conditional].filter(
      (statement) => statement.Effect === 'Allow',
    );
    const grant = (action: string) => statements.find((statement) => actionsOf(statement).includes(action));

    expect([...called].filter((action) => /^(events|sns):/.test(action)).sort()).toEqual([
      'events:PutEvents',
      'sns:Publish',
    ]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a template literal
    expect(JSON.stringify(grant('events:PutEvents')?.Resource)).toContain(':event-bus/${EventBusName}');
    expect(grant('sns:Publish')?.Resource).toEqual({ Ref: 'NotificationTopicArn' });
  });
});
