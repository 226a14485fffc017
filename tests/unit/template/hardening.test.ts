import {
  actionsOf,
  inlineStatements,
  loadTemplate,
  type PolicyStatement,
  type Resource,
  resourcesOfType,
} from '../../support/template.ts';

const template = loadTemplate();
const functions = resourcesOfType(template, 'AWS::Serverless::Function');

/** The statements of a resource's policies, the conditional (`!If`) ones included. */
function everyStatement(resource: Resource): PolicyStatement[] {
  const policies = (resource.Properties?.Policies ?? []) as Record<string, unknown>[];
  const conditional = policies.flatMap((policy) => {
    const branches = policy['Fn::If'] as [string, { Statement?: PolicyStatement[] }, unknown] | undefined;
    return branches?.[1]?.Statement ?? [];
  });
  return [...inlineStatements(resource), ...conditional];
}

function resource(id: string): Resource {
  const found = template.Resources[id];
  if (found === undefined) throw new Error(`template.yaml has no ${id}`);
  return found;
}

describe('template.yaml hardening', () => {
  it.each(functions)('%s may write logs only to its own log group', (_id, fn) => {
    const logging = fn.Properties?.LoggingConfig as { LogGroup: { Ref: string } } | undefined;
    const logGroup = logging?.LogGroup.Ref ?? '';
    const statements = everyStatement(fn);
    const deny = statements.find((statement) => statement.Sid === 'LogsOnlyToOwnLogGroup') as
      | (PolicyStatement & { NotResource: unknown[] })
      | undefined;

    expect(deny).toMatchObject({ Effect: 'Deny', Action: 'logs:*' });
    expect(deny?.NotResource).toEqual([
      { 'Fn::GetAtt': [logGroup, 'Arn'] },
      {
        'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:\${${logGroup}}`,
      },
    ]);
    const logAllows = statements.filter(
      (statement) => statement.Effect === 'Allow' && actionsOf(statement).some((a) => a.startsWith('logs:')),
    );
    expect(logAllows).toEqual([]);
  });

  it.each(functions)('%s has reserved concurrency from a parameter', (_id, fn) => {
    const reserved = fn.Properties?.ReservedConcurrentExecutions as {
      'Fn::If': [string, { Ref: string }, unknown];
    };
    const [condition, value] = reserved['Fn::If'];

    expect(template.Parameters[value.Ref]).toMatchObject({ Type: 'Number', MinValue: 0 });
    expect(template.Conditions[condition]).toBeDefined();
  });

  it('offers container-name narrowing of ExecuteCommand (ecs:container-name), off by default', () => {
    const exec = everyStatement(resource('RunDiagnosticFunction')).find(
      (statement) => statement.Sid === 'ExecuteCommandInTargetClusters',
    );

    expect(exec?.Condition?.StringEquals).toEqual({
      'Fn::If': [
        'HasExecContainerNames',
        { 'ecs:container-name': { Ref: 'ExecAllowedContainerNames' } },
        { Ref: 'AWS::NoValue' },
      ],
    });
    expect(template.Parameters.ExecAllowedContainerNames).toMatchObject({ Default: '' });
  });

  it('offers a required tag on the task or cluster (aws:ResourceTag/<key>) as a Deny on the function role', () => {
    const policy = resource('RunDiagnosticExecTagPolicy');
    const sub = policy.Properties?.PolicyDocument as { 'Fn::Sub': string };
    const values: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': 'eu-west-1',
      'AWS::AccountId': '123456789012',
      ExecRequiredTagOn: 'task',
      ExecRequiredTagKey: 'ecs-diagnostics',
      ExecRequiredTagValue: 'allowed',
    };

    const document = JSON.parse(
      sub['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_, name: string) => values[name] ?? '?'),
    );

    expect(policy.Condition).toBe('HasExecRequiredTag');
    expect(policy.Properties?.Roles).toEqual([{ Ref: 'RunDiagnosticFunctionRole' }]);
    expect(document.Statement).toEqual([
      {
        Sid: 'ExecuteCommandOnlyInTaggedResources',
        Effect: 'Deny',
        Action: 'ecs:ExecuteCommand',
        Resource: 'arn:aws:ecs:eu-west-1:123456789012:task/*',
        Condition: { StringNotEquals: { 'aws:ResourceTag/ecs-diagnostics': 'allowed' } },
      },
    ]);
    for (const name of ['ExecRequiredTagKey', 'ExecRequiredTagValue']) {
      const pattern = new RegExp(template.Parameters[name]?.AllowedPattern as string);
      expect(pattern.test('a"b')).toBe(false);
      expect(pattern.test('a\\b')).toBe(false);
    }
  });

  it('pins every KMS statement: the S3 key through S3 and the bucket, the exec key to the target clusters', () => {
    const kms = [...functions.map(([, fn]) => fn), resource('DiagnosticsStateMachine')].flatMap((fn) =>
      everyStatement(fn).filter((statement) => actionsOf(statement).some((a) => a.startsWith('kms:'))),
    );

    // run-diagnostic, write-report, check-readiness, the exec key; resolve-targets (target lists) and the
    // Distributed Map.
    expect(kms.length).toBe(6);
    for (const statement of kms) {
      if (statement.Sid === 'ExecSessionKmsHandshake') {
        expect(JSON.stringify(statement.Condition?.StringLike)).toContain(
          'kms:EncryptionContext:aws:ssm:TargetId',
        );
        expect(JSON.stringify(statement.Condition?.StringLike)).toContain('TargetClusterNames');
      } else {
        expect(statement.Condition?.StringEquals).toHaveProperty(['kms:ViaService']);
        expect(statement.Condition?.StringLike).toHaveProperty(['kms:EncryptionContext:aws:s3:arn']);
      }
    }
  });

  it('lets run-diagnostic read outputs only (not manifests) and terminate only ECS Exec sessions', () => {
    const statements = everyStatement(resource('RunDiagnosticFunction'));
    const reads = statements.filter((statement) => actionsOf(statement).includes('s3:GetObject'));
    const terminate = statements.filter((statement) => actionsOf(statement).includes('ssm:TerminateSession'));

    expect(reads.map((statement) => statement.Resource)).toEqual([
      { 'Fn::Sub': `${'$'}{OutputBucket.Arn}/runs/*.log` },
    ]);
    expect(JSON.stringify(terminate.map((statement) => statement.Resource))).toContain(
      ':session/ecs-execute-command-*',
    );
  });

  it('subscribes to the alarm topic with SourceAccount, and start-run knows the allowed topic accounts', () => {
    const permission = resource('StartRunAlarmTopicPermission').Properties ?? {};
    const startRun = resource('StartRunFunction').Properties?.Environment as {
      Variables: Record<string, unknown>;
    };

    expect(permission.SourceAccount).toEqual({
      'Fn::Select': [4, { 'Fn::Split': [':', { Ref: 'AlarmTopicArn' }] }],
    });
    expect(startRun.Variables.ALARM_TOPIC_ACCOUNT_IDS).toEqual({
      'Fn::Join': [',', { Ref: 'AlarmTopicAccountIds' }],
    });
  });

  it('versions the bucket, expires non-current versions and offers access logs', () => {
    const bucket = resource('OutputBucket').Properties ?? {};
    const rules = (bucket.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;

    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          NoncurrentVersionExpiration: { NoncurrentDays: { Ref: 'NoncurrentVersionDays' } },
        }),
        expect.objectContaining({ ExpiredObjectDeleteMarker: true }),
      ]),
    );
    expect((bucket.LoggingConfiguration as { 'Fn::If': unknown[] })['Fn::If'][0]).toBe('HasAccessLogBucket');
  });
});
