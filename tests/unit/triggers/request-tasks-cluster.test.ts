import { InvalidRequestError } from '#lib/errors.ts';
import { parseRequest } from '#lib/request.ts';

const TASK_ID = '3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61';
const taskArn = (cluster: string) => `arn:aws:ecs:us-east-1:493817260514:task/${cluster}/${TASK_ID}`;

function rejection(input: unknown): InvalidRequestError {
  try {
    parseRequest(input);
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('expected InvalidRequestError');
}

describe('request: explicit tasks belong to the request cluster', () => {
  it('rejects a task ARN of another cluster, naming the task and the fix', () => {
    const error = rejection({ cluster: 'payments-prod', tasks: [TASK_ID, taskArn('admin-prod')] });

    expect(error.field).toBe('tasks[1]');
    expect(error.message).toContain('admin-prod');
    expect(error.message).toContain('payments-prod');
  });

  it('compares with the name of a cluster given by ARN', () => {
    const cluster = 'arn:aws:ecs:us-east-1:493817260514:cluster/payments-prod';

    expect(() => parseRequest({ cluster, tasks: [taskArn('payments-prod')] })).not.toThrow();
    expect(rejection({ cluster, tasks: [taskArn('other')] }).field).toBe('tasks[0]');
  });

  it('requires the cluster with tasks, even when alarm data is present', () => {
    const error = rejection({ tasks: [TASK_ID], alarm: { name: 'cpu-high' } });

    expect(error.field).toBe('cluster');
  });
});
