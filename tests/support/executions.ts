/** Waiting on a Step Functions execution of the local sandbox. */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** Polls DescribeExecution until ANY final status (never only success), and returns that description. */
export async function finalStatus(
  sfn: SFNClient,
  executionArn: string,
): Promise<DescribeExecutionCommandOutput> {
  for (;;) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (FINAL.has(described.status ?? '')) return described;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
