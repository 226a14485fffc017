import { InvalidRequestError } from '#lib/errors.ts';
import { parseRequest } from '#lib/request.ts';

const serviceArn = (cluster: string) => `arn:aws:ecs:us-east-1:493817260514:service/${cluster}/checkout-api`;

function rejection(input: unknown): InvalidRequestError {
  try {
    parseRequest(input);
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('expected InvalidRequestError');
}

describe('request: a service ARN belongs to the request cluster', () => {
  it('rejects a service ARN of another cluster instead of diagnosing a same-named service elsewhere', () => {
    const error = rejection({ cluster: 'payments-prod', service: serviceArn('admin-prod') });

    expect(error.field).toBe('service');
    expect(error.message).toContain('admin-prod');
    expect(error.message).toContain('payments-prod');
  });

  it('accepts a service ARN of the same cluster, and the old ARN form without a cluster', () => {
    expect(() =>
      parseRequest({ cluster: 'payments-prod', service: serviceArn('payments-prod') }),
    ).not.toThrow();
    expect(() =>
      parseRequest({
        cluster: 'payments-prod',
        service: 'arn:aws:ecs:us-east-1:493817260514:service/checkout-api',
      }),
    ).not.toThrow();
  });
});
