import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { boundForLog, boundString, escapeInvisible } from './untrusted-text.ts';

/**
 * Powertools' default record, with the message and every attribute bounded and escaped (boundForLog):
 * log lines carry untrusted text (alarm names, states, service messages), and one 100 KB field must not
 * become a 100 KB log line.
 */
class BoundedLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: escapeInvisible(boundString(attributes.message)),
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: context?.coldStart,
        function_arn: context?.invokedFunctionArn,
        function_memory_size: context?.memoryLimitInMB,
        function_name: context?.functionName,
        function_request_id: context?.awsRequestId,
        sampling_rate: attributes.sampleRateValue,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(boundForLog(additional) as LogAttributes);
  }
}

/** The one logger of a function; POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL configure it. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ecs-alarm-diagnostics',
  logFormatter: new BoundedLogFormatter(),
});
