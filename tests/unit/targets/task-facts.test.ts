import type { Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';
import { manifestTaskFacts, TARGET_FACT_LIMITS, targetFacts } from '#lib/targets/task-facts.ts';

const TASK: Task = {
  taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/payments-prod/3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61',
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/checkout-api:42',
  launchType: 'FARGATE',
  platformVersion: '1.4.0',
  startedAt: new Date('2026-11-30T08:15:00.000Z'),
  containers: [
    { name: 'sidecar', image: 'envoy:v1.31' },
    {
      name: 'checkout',
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout:2026.11.30',
      imageDigest: `sha256:${'a'.repeat(64)}`,
    },
  ],
};

describe('task facts a target carries', () => {
  it('takes image and digest of the target container, family:revision, launch type, platform, start', () => {
    expect(targetFacts(TASK, 'checkout')).toEqual({
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout:2026.11.30',
      imageDigest: `sha256:${'a'.repeat(64)}`,
      taskDefinition: 'checkout-api:42',
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      startedAt: '2026-11-30T08:15:00.000Z',
    });
    expect(targetFacts(TASK, 'sidecar').image).toBe('envoy:v1.31');
  });

  it('leaves out what ECS did not say', () => {
    expect(targetFacts({ containers: [{ name: 'app' }], startedAt: new Date(Number.NaN) }, 'app')).toEqual(
      {},
    );
  });

  it('escapes bidi controls and NUL and bounds a hostile image name', () => {
    const hostile = `evil\u202e\u0000${'x'.repeat(100_000)}`;
    const facts = targetFacts({ containers: [{ name: 'app', image: hostile }] }, 'app');

    expect(facts.image?.length).toBeLessThanOrEqual(TARGET_FACT_LIMITS.image);
    expect(facts.image).toMatch(/^evil\\u202e\\u0000x+…\[\d+ more characters\]$/);
  });

  it('keeps every fact within its limit, whatever ECS answers', () => {
    const long = 'é\u2066'.repeat(5000);
    const facts = targetFacts(
      {
        taskDefinitionArn: `arn:aws:ecs:eu-west-1:1:task-definition/${long}:1`,
        launchType: long as never,
        platformVersion: long,
        containers: [{ name: 'app', image: long, imageDigest: long }],
      },
      'app',
    );

    for (const [key, value] of Object.entries(facts)) {
      expect(value.length).toBeLessThanOrEqual(TARGET_FACT_LIMITS[key as keyof typeof TARGET_FACT_LIMITS]);
      expect(value).not.toMatch(/\u2066/);
    }
    expect(Object.keys(facts).sort()).toEqual([
      'image',
      'imageDigest',
      'launchType',
      'platformVersion',
      'taskDefinition',
    ]);
  });

  it("gives the manifest the target's service and zone with its facts", () => {
    const target = {
      cluster: 'payments-prod',
      service: 'checkout-api',
      taskArn: TASK.taskArn ?? '',
      container: 'checkout',
      script: 'basic',
      az: 'eu-west-1b',
      facts: { launchType: 'FARGATE' },
    };

    expect(manifestTaskFacts(target)).toEqual({
      service: 'checkout-api',
      launchType: 'FARGATE',
      az: 'eu-west-1b',
    });
    expect(manifestTaskFacts({ ...target, service: undefined, az: undefined, facts: undefined })).toBe(
      undefined,
    );
  });
});
