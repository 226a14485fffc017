/**
 * Schema-version-2 manifests for every outcome the report renders, shaped as WriteReport writes them for the
 * sandbox world (cluster payments-prod, service checkout-api), plus the outputs their targets stored. Shared by
 * the report tests and the report benchmark.
 */
import type { Manifest, ManifestTarget, PartialReason, TargetStatus } from '#lib/manifest.ts';
import type { OutputExcerpt } from '#lib/report/excerpts.ts';

const PREFIX = 'runs/2025/03/14/payments-prod-checkout-api-cpu-high-20250314T092741Z/';
const ALARM_AT = Date.parse('2025-03-14T09:27:41.516Z');
const at = (ms: number) => new Date(ALARM_AT + ms).toISOString();

export const HOSTILE_OUTPUT =
  '== ps ==\n<script>window.__pwned = 1; alert(1)</script>\n<img src=x onerror="window.__pwned = 2">\n' +
  '</textarea></pre><b>not bold</b>\nbidi: \u202Eevil\u202C and a NUL: \u0000 end\n';

function taskArn(n: number, cluster = 'payments-prod'): string {
  return `arn:aws:ecs:us-east-1:493817260514:task/${cluster}/${n.toString(16).padStart(32, '0')}`;
}

function outputKey(n: number, container = 'checkout', script = 'basic'): string {
  return `${PREFIX}payments-prod/${n.toString(16).padStart(32, '0')}/${container}/${script}.log`;
}

/** A target's manifest entry, with every fact the v2 contract carries. */
export function fixtureTarget(
  n: number,
  status: TargetStatus,
  overrides: Partial<ManifestTarget> = {},
): ManifestTarget {
  const start = 4000 + n * 37;
  const captured = status !== 'failed';
  const partialReasons: PartialReason[] | undefined = status === 'partial' ? ['exit-code'] : undefined;
  return {
    target: {
      cluster: 'payments-prod',
      taskArn: taskArn(n),
      container: 'checkout',
      script: 'basic',
      az: n % 2 === 0 ? 'us-east-1a' : 'us-east-1b',
      runtimeId: `${n.toString(16).padStart(32, '0')}-1234567890`,
    },
    status,
    ...(partialReasons ? { partialReasons } : {}),
    ...(captured
      ? {
          s3Key: outputKey(n),
          bytes: 18_432 + n,
          truncated: false,
          exitCode: status === 'partial' ? 3 : status === 'not-applicable' ? 97 : 0,
          redactions: n % 3,
          capture: {
            startedAt: at(start + 400),
            endedAt: at(start + 2500),
            durationMs: 2100,
            newlines: 'stty-onlcr-off' as const,
          },
        }
      : {
          error: {
            name: 'AccessDeniedException',
            message: 'User is not authorized to perform: ecs:ExecuteCommand',
          },
        }),
    task: {
      service: 'checkout-api',
      image: '493817260514.dkr.ecr.us-east-1.amazonaws.com/checkout-api:2025.03.12-4',
      imageDigest: 'sha256:9f2c4b7e1d0a8c6b5e4f3a2918d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2918d7c',
      taskDefinition: 'checkout-api:42',
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      startedAt: at(-3_600_000),
      az: n % 2 === 0 ? 'us-east-1a' : 'us-east-1b',
    },
    attempts: [
      {
        number: 1,
        startedAt: at(start),
        ...(captured
          ? {}
          : {
              error: {
                name: 'AccessDeniedException',
                message: 'User is not authorized to perform: ecs:ExecuteCommand',
              },
            }),
      },
    ],
    ...overrides,
  };
}

function manifest(targets: ManifestTarget[], extra: Partial<Manifest> = {}): Manifest {
  const byStatus: Record<TargetStatus, number> = { succeeded: 0, partial: 0, 'not-applicable': 0, failed: 0 };
  for (const target of targets) byStatus[target.status] += 1;
  const captured = byStatus.succeeded + byStatus.partial + byStatus['not-applicable'];
  const outcome =
    byStatus.succeeded === 0 && byStatus.partial === 0
      ? 'failed'
      : byStatus.succeeded === targets.length
        ? 'succeeded'
        : 'partial';
  const skipped = extra.skipped ?? [];
  const leftOut = extra.leftOut ?? [];
  return {
    schemaVersion: 2,
    executionName: 'payments-prod-checkout-api-cpu-high-20250314T092741Z',
    startedAt: at(1800),
    writtenAt: new Date(
      Math.max(ALARM_AT + 9000, ...targets.map((t) => Date.parse(t.capture?.endedAt ?? '') || 0)) + 1200,
    ).toISOString(),
    outcome: captured === 0 ? 'failed' : outcome,
    summary: { targets: targets.length, byStatus, skipped: skipped.length, leftOut: leftOut.length },
    alarm: {
      name: 'payments-prod-checkout-api-cpu-high',
      arn: 'arn:aws:cloudwatch:us-east-1:493817260514:alarm:payments-prod-checkout-api-cpu-high',
      description: 'checkout-api average CPU above 85% for 3 consecutive minutes',
      state: {
        value: 'ALARM',
        reason:
          'Threshold Crossed: 3 out of the last 3 datapoints [97.41666666666667 (14/03/25 09:26:00), 93.08333333333333 (14/03/25 09:25:00), 88.91666666666667 (14/03/25 09:24:00)] were greater than the threshold (85.0) (minimum 1 datapoint for OK -> ALARM transition).',
        reasonData: {
          version: '1.0',
          statistic: 'Average',
          period: 60,
          recentDatapoints: [88.91666666666667, 93.08333333333333, 97.41666666666667],
          threshold: 85.0,
          evaluatedDatapoints: [
            { timestamp: '2025-03-14T09:26:00.000+0000', sampleCount: 2.0, value: 97.41666666666667 },
          ],
        },
        timestamp: '2025-03-14T09:27:41.516+0000',
      },
      previousState: {
        value: 'OK',
        reason:
          'Threshold Crossed: 1 out of the last 3 datapoints [41.25 (14/03/25 07:01:00)] was not greater than the threshold (85.0).',
        timestamp: '2025-03-14T07:02:18.204+0000',
      },
      threshold: 85,
      comparisonOperator: 'GreaterThanThreshold',
      metrics: ['AWS/ECS/CPUUtilization'],
    },
    request: { cluster: 'payments-prod', service: 'checkout-api', script: 'basic' },
    targets,
    skipped,
    leftOut,
    errors: [],
    files: {
      manifest: `${PREFIX}manifest.json`,
      summary: `${PREFIX}summary.md`,
      report: `${PREFIX}report.html`,
    },
    ...extra,
  };
}

const PARTIALS: Record<PartialReason, Partial<ManifestTarget>> = {
  'exit-code': { exitCode: 3, partialReasons: ['exit-code'] },
  'output-cap': {
    exitCode: null,
    truncated: true,
    truncation: 'output-cap',
    bytes: 10_485_760,
    partialReasons: ['output-cap', 'no-exit-status'],
  },
  deadline: {
    exitCode: null,
    truncated: true,
    truncation: 'deadline',
    partialReasons: ['deadline', 'no-exit-status'],
  },
  'session-interrupted': {
    exitCode: null,
    partialReasons: ['session-interrupted', 'no-exit-status'],
    error: {
      name: 'SessionInterruptedError',
      message: 'the data channel closed (1006) after 18432 bytes were stored',
    },
  },
  'no-exit-status': { exitCode: null, partialReasons: ['no-exit-status'] },
};

/** The fixture kinds; each is a complete run. */
export const FIXTURE_KINDS = [
  'all-succeeded',
  'partial-exit-code',
  'partial-output-cap',
  'partial-deadline',
  'partial-session-interrupted',
  'partial-no-exit-status',
  'not-applicable',
  'all-failed',
  'resolution-failed',
  'skipped-and-left-out',
  'readiness',
  'hostile',
  'targets-200',
  'targets-1000',
] as const;
export type FixtureKind = (typeof FIXTURE_KINDS)[number];

const retried = (n: number): Partial<ManifestTarget> => ({
  attempts: [
    {
      number: 1,
      startedAt: at(4000 + n * 37),
      error: {
        name: 'TargetNotConnectedException',
        message: 'The execute command failed due to an internal error. Try again later.',
      },
      delayBeforeNextMs: 7300,
    },
    {
      number: 2,
      startedAt: at(11_400 + n * 37),
      error: {
        name: 'TargetNotConnectedException',
        message: 'The execute command failed due to an internal error. Try again later.',
      },
      delayBeforeNextMs: 15_100,
    },
    { number: 3, startedAt: at(26_600 + n * 37) },
  ],
  capture: {
    startedAt: at(27_000 + n * 37),
    endedAt: at(29_300 + n * 37),
    durationMs: 2300,
    newlines: 'crlf-undone',
  },
});

function many(count: number): ManifestTarget[] {
  const statuses: TargetStatus[] = [
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
    'partial',
    'not-applicable',
    'succeeded',
    'failed',
    'succeeded',
  ];
  return Array.from({ length: count }, (_, n) => {
    const status = statuses[n % statuses.length] ?? 'succeeded';
    const entry = fixtureTarget(n, status, n % 13 === 4 ? retried(n) : {});
    return { ...entry, task: { ...entry.task, service: `service-${(n % 8).toString().padStart(2, '0')}` } };
  });
}

/** One complete v2 manifest of the given kind. */
export function fixtureManifest(kind: FixtureKind): Manifest {
  switch (kind) {
    case 'all-succeeded':
      return manifest([fixtureTarget(1, 'succeeded'), fixtureTarget(2, 'succeeded', retried(2))]);
    case 'partial-exit-code':
    case 'partial-output-cap':
    case 'partial-deadline':
    case 'partial-session-interrupted':
    case 'partial-no-exit-status': {
      const reason = kind.slice('partial-'.length) as PartialReason;
      return manifest([fixtureTarget(1, 'succeeded'), fixtureTarget(2, 'partial', PARTIALS[reason])]);
    }
    case 'not-applicable':
      return manifest([
        fixtureTarget(1, 'not-applicable', {
          target: { ...fixtureTarget(1, 'succeeded').target, script: 'jvm' },
        }),
      ]);
    case 'all-failed':
      return manifest([
        fixtureTarget(1, 'failed', {
          attempts: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((number) => ({
            number,
            startedAt: at(4000 + number * 20_000),
            error: {
              name: 'TargetNotConnectedException',
              message: 'The execute command failed due to an internal error.',
            },
            ...(number < 9 ? { delayBeforeNextMs: 10_000 * 2 ** Math.min(number - 1, 3) } : {}),
          })),
          error: {
            name: 'TargetNotConnectedException',
            message:
              'The ExecuteCommand agent in the task never connected while the retries lasted (about 8 minutes).',
          },
        }),
        fixtureTarget(2, 'failed'),
      ]);
    case 'resolution-failed':
      return manifest([], {
        errors: [
          {
            stage: 'ResolveTargets',
            name: 'ClusterNotFoundException',
            message: 'Cluster not found: payments-prod',
          },
        ],
        outcome: 'failed',
      });
    case 'skipped-and-left-out':
      return manifest([fixtureTarget(1, 'succeeded')], {
        skipped: [
          {
            cluster: 'payments-prod',
            taskArn: taskArn(3),
            container: 'checkout',
            reason: 'the ExecuteCommandAgent is PENDING, not RUNNING',
          },
          {
            cluster: 'payments-prod',
            taskArn: taskArn(1),
            container: 'ecs-service-connect-x7k2',
            reason: 'a Service Connect sidecar: not diagnosed',
          },
        ],
        leftOut: Array.from({ length: 25 }, (_, n) => ({
          cluster: 'payments-prod',
          service: 'checkout-api',
          taskArn: taskArn(100 + n),
          reason: 'sampling: maxTasks 1, one task per AZ first',
        })),
      });
    case 'readiness':
      return manifest(
        [
          fixtureTarget(1, 'succeeded', {
            readiness: [
              { id: 'exec-agent', title: 'ExecuteCommandAgent is RUNNING', status: 'pass' },
              {
                id: 'task-role-ssmmessages',
                title: 'Task role allows ssmmessages:*',
                status: 'warn',
                evidence: 'no task role policy could be read',
                fix: 'grant ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel, OpenDataChannel',
              },
            ],
          }),
        ],
        {
          skipped: [
            {
              cluster: 'payments-prod',
              taskArn: taskArn(3),
              container: 'checkout',
              reason: 'not ready for ECS Exec',
              readiness: [
                {
                  id: 'exec-agent',
                  title: 'ExecuteCommandAgent is RUNNING',
                  status: 'fail',
                  evidence: 'agent lastStatus PENDING',
                  fix: 'wait for the agent, or restart the task with enableExecuteCommand',
                },
                {
                  id: 'kms',
                  title: 'KMS key usable',
                  status: 'not-checked',
                  evidence: 'the cluster has no kmsKeyId',
                },
              ],
            },
          ],
        },
      );
    case 'hostile': {
      const evil = '<img src=x onerror="window.__pwned=3">\u202Egnp.exe\u0000';
      const target = fixtureTarget(1, 'partial', {
        ...PARTIALS['exit-code'],
        error: { name: '<script>x</script>', message: '</textarea><script>window.__pwned=4</script>' },
      });
      return manifest(
        [
          {
            ...target,
            target: { ...target.target, container: `checkout${evil}` },
            task: { ...target.task, service: `svc</h3><script>window.__pwned=5</script>` },
          },
        ],
        {
          alarm: {
            ...manifest([]).alarm,
            name: `cpu-high ${evil}`,
            description: '<a href="https://example.com/x">click</a> **bold** [link](http://x)',
            state: {
              value: 'ALARM',
              reason: '<style>body{display:none}</style> [x](javascript:alert(1)) `code`',
              timestamp: '2025-03-14T09:27:41.516+0000',
            },
          },
          skipped: [
            {
              cluster: 'payments-prod',
              taskArn: taskArn(3),
              reason: `<iframe src="https://example.com"></iframe>${evil}`,
            },
          ],
          notes: ['<link rel="stylesheet" href="https://example.com/x.css">'],
        },
      );
    }
    case 'targets-200':
      return manifest(many(200));
    case 'targets-1000':
      return manifest(many(1000), {
        leftOut: Array.from({ length: 1200 }, (_, n) => ({
          cluster: 'payments-prod',
          service: `service-${(n % 8).toString().padStart(2, '0')}`,
          taskArn: taskArn(5000 + n),
          reason: 'sampling: maxTasks 1000',
        })),
      });
  }
}

/** What a fixture target's script "printed" (the hostile run prints hostile text). */
export function fixtureOutput(kind: FixtureKind, entry: ManifestTarget): string {
  if (kind === 'hostile') return HOSTILE_OUTPUT;
  const lines = [
    `== basic diagnostics for ${entry.target.container} ==`,
    '  PID TTY          TIME CMD',
    '    1 ?        00:12:31 java -jar /app/checkout.jar',
    '   57 ?        00:00:00 sh',
  ];
  if (entry.status === 'not-applicable')
    lines.push('no JVM found in this container: nothing to diagnose (exit 97)');
  return `${lines.join('\n')}\n`;
}

/** The excerpts WriteReport would read for a fixture run (the whole fixture output, sized as the manifest says). */
export function fixtureExcerpts(kind: FixtureKind, run: Manifest): Map<string, OutputExcerpt> {
  const excerpts = new Map<string, OutputExcerpt>();
  for (const entry of run.targets) {
    if (!entry.s3Key) continue;
    const text = fixtureOutput(kind, entry);
    const bytes = Buffer.byteLength(text);
    excerpts.set(entry.s3Key, {
      s3Key: entry.s3Key,
      text,
      excerptBytes: bytes,
      totalBytes: Math.max(bytes, entry.bytes ?? bytes),
    });
  }
  return excerpts;
}
