import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger of a function; POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL configure it. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ecs-alarm-diagnostics',
});
