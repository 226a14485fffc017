import type { Task } from '@aws-sdk/client-ecs';
import { chooseContainers, isSidecar, preflightTask, sampleTasks } from '#lib/targets/selection.ts';
import { container, task, taskArn, taskId } from '../resolve-targets/ecs-fakes.ts';

function names(choices: ReturnType<typeof chooseContainers>): string[] {
  return choices.map((choice) =>
    'container' in choice ? (choice.container.name ?? '') : `skip:${choice.skipped.container ?? ''}`,
  );
}

describe('targets selection', () => {
  describe('sampleTasks', () => {
    it('spreads across availability zones', () => {
      const tasks = [
        task(1, { availabilityZone: 'a' }),
        task(2, { availabilityZone: 'a' }),
        task(3, { availabilityZone: 'a' }),
        task(4, { availabilityZone: 'b' }),
        task(5, { availabilityZone: 'c' }),
      ];

      const sample = sampleTasks(tasks, 3);

      expect(sample.map((t) => t.availabilityZone).sort()).toEqual(['a', 'b', 'c']);
    });

    it('puts the preferred task first, then the zones it is not in', () => {
      const tasks = [
        task(1, { availabilityZone: 'a' }),
        task(2, { availabilityZone: 'a' }),
        task(3, { availabilityZone: 'b' }),
      ];

      const sample = sampleTasks(tasks, 2, taskId(2));

      expect(sample.map((t) => t.taskArn)).toEqual([taskArn(2), taskArn(3)]);
    });

    it('returns fewer tasks when there are fewer', () => {
      expect(sampleTasks([task(1)], 3)).toHaveLength(1);
      expect(sampleTasks([], 3)).toEqual([]);
    });
  });

  describe('chooseContainers', () => {
    const sidecars = [
      container('ecs-service-connect-7f3a', { image: 'public.ecr.aws/ecs/ecs-service-connect-agent:v1' }),
      container('aws-guardduty-agent-Xy1', {
        image: '123.dkr.ecr.us-east-1.amazonaws.com/aws-guardduty-agent-fargate:v1',
      }),
      container('log_router', { image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable' }),
    ];

    it('takes the essential application containers with a RUNNING agent, leaving out sidecars', () => {
      const t = task(1, {
        containers: [container('app'), container('worker'), container('metrics'), ...sidecars],
      });
      const definition = {
        containerDefinitions: [
          { name: 'app', essential: true },
          { name: 'worker' },
          { name: 'metrics', essential: false },
          { name: 'log_router', essential: true, firelensConfiguration: { type: 'fluentbit' as const } },
        ],
      };

      expect(names(chooseContainers(t, undefined, definition))).toEqual(['app', 'worker']);
    });

    it('reports essential containers whose agent is not running', () => {
      const t = task(1, { containers: [container('app'), container('worker', { agent: 'STOPPED' })] });

      expect(names(chooseContainers(t, undefined, undefined))).toEqual(['app', 'skip:worker']);
    });

    it('takes one container per task with pidMode task', () => {
      const t = task(1, {
        containers: [container('app', { agent: 'PENDING' }), container('worker'), container('third')],
      });

      expect(names(chooseContainers(t, undefined, { pidMode: 'task' }))).toEqual(['worker']);
    });

    it('takes the requested container, or says it is not there', () => {
      const t = task(1, { containers: [container('app'), ...sidecars] });

      expect(names(chooseContainers(t, 'app'))).toEqual(['app']);
      const [missing] = chooseContainers(t, 'nope');
      expect(missing).toEqual({
        skipped: {
          container: 'nope',
          reason:
            'no container named nope in this task (it has: app, ecs-service-connect-7f3a, aws-guardduty-agent-Xy1, log_router)',
        },
      });
    });

    it('says so when a task has only sidecars', () => {
      const t = task(1, { containers: sidecars });

      expect(chooseContainers(t, undefined)).toEqual([
        { skipped: { reason: 'no essential application container in this task (only sidecars)' } },
      ]);
    });

    it('recognises sidecars by name or image', () => {
      expect(isSidecar({ name: 'anything', image: 'public.ecr.aws/xray/aws-xray-daemon:3' })).toBe(true);
      expect(isSidecar({ name: 'checkout', image: 'checkout:1' })).toBe(false);
    });
  });

  describe('preflightTask', () => {
    it('tells how to enable exec on the service', () => {
      const reason = preflightTask(task(1, { enableExecuteCommand: false }) as Task, 'checkout-api');

      expect(reason).toContain(
        'aws ecs update-service --cluster payments-prod --service checkout-api --enable-execute-command --force-new-deployment',
      );
    });

    it('passes a running, exec-enabled task', () => {
      expect(preflightTask(task(1))).toBeUndefined();
    });
  });
});
