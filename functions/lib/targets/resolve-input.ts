/** The state input of ResolveTargets: the request and the execution it runs in. */
import { InvalidRequestError } from '../errors.ts';
import { type DiagnosticsRequest, parseRequest } from '../request.ts';

/** The state input of ResolveTargets. */
export interface ResolveInput {
  request: unknown;
  execution: { name: string; startTime: string };
}

/** Validates the state input around the request (the request itself is validated by parseRequest). */
export function parseResolveInput(input: unknown): {
  request: DiagnosticsRequest;
  executionName: string;
  startTime: Date;
} {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidRequestError('input', 'must be {request, execution: {name, startTime}}');
  }
  const { request, execution } = input as Partial<ResolveInput>;
  if (typeof execution !== 'object' || execution === null) {
    throw new InvalidRequestError(
      'execution',
      'is missing: pass {name: $$.Execution.Name, startTime: $$.Execution.StartTime}',
    );
  }
  if (typeof execution.name !== 'string' || !/^[^\s]{1,80}$/.test(execution.name)) {
    throw new InvalidRequestError(
      'execution.name',
      'must be the execution name (1 to 80 characters, no whitespace)',
    );
  }
  const startTime = new Date(typeof execution.startTime === 'string' ? execution.startTime : Number.NaN);
  if (Number.isNaN(startTime.getTime())) {
    throw new InvalidRequestError(
      'execution.startTime',
      'must be an ISO 8601 timestamp ($$.Execution.StartTime)',
    );
  }
  return { request: parseRequest(request), executionName: execution.name, startTime };
}
