/**
 * Fleet sweeps in the sandbox: 10, 100 and 1000 targets through the real definition (Distributed Map),
 * and today's inline Map for 10 and 100, each run in a fresh process. Every number is computed from what
 * the run counted: wall time, process RSS at the end of each handler call (all handlers share the sandbox
 * process, so this is an upper bound per handler), the largest state payload at any transition (the
 * emulator measures every state's input and output, child executions included), ECS calls by operation
 * (the ECS emulator counts them), state transitions (states entered + retries), S3 requests (counted by
 * the local S3) and Lambda GB-seconds (each call's duration × the template's MemorySize). AWS prices
 * (us-east-1, arm64): STANDARD transitions $0.025 / 1000, Lambda $0.0000133334 per GB-s + $0.20 per
 * million requests, S3 PUT/POST/LIST $0.005 / 1000, GET $0.0004 / 1000. Lambda time here is local time
 * on a shared 2-core machine (the stand-in script is tiny), so GB-s is indicative only.
 * Reproduce: `npm run bench -- fleet` (FLEET_SIZES="10 100 1000").
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PRICE = {
  transition: 0.025 / 1000,
  gbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1_000_000,
  s3Write: 0.005 / 1000,
  s3Read: 0.0004 / 1000,
};

interface Measured {
  targets: number;
  mode: string;
  status: string;
  wallMs: number;
  rssMiB: Record<string, number>;
  maxPayloadBytes: number;
  ecs: Record<string, number>;
  transitions: number;
  childExecutions: number;
  s3: Record<string, number>;
  lambda: { requests: number; gbSeconds: number };
}

async function measure(targets: number, mode: 'inline' | 'distributed'): Promise<Measured> {
  process.env.INLINE_MAX_TARGETS = mode === 'inline' ? '200' : '0';
  const { generateFleetWorld, fleetSweepRequest } = await import('../local/fleet-world.ts');
  const { startSandbox, STATE_FUNCTIONS } = await import('../local/pipeline.ts');
  const { loadTemplateFunctions } = await import('../local/lambda.ts');
  const services = Math.max(1, Math.min(50, targets / 20));
  const size = { tasks: targets, services, clusters: services >= 2 ? 2 : 1 };
  const memory = new Map(
    [...loadTemplateFunctions(new URL('../template.yaml', import.meta.url)).values()].map((fn) => [
      fn.name,
      fn.memoryMb,
    ]),
  );
  const rss: Record<string, number> = {};
  let gbSeconds = 0;
  let requests = 0;
  const sandbox = await startSandbox({
    world: generateFleetWorld(size),
    logLevel: 'SILENT',
    onJournal: (entry) => {
      const fn = STATE_FUNCTIONS[entry.state as keyof typeof STATE_FUNCTIONS] ?? entry.state;
      rss[fn] = Math.max(rss[fn] ?? 0, process.memoryUsage().rss / 2 ** 20);
      gbSeconds += (Math.max(entry.ms, 1) / 1000) * ((memory.get(fn) ?? 128) / 1024);
      requests += 1;
    },
  });
  try {
    const started = performance.now();
    const request = { ...fleetSweepRequest(size), maxConcurrency: 40 };
    await sandbox.invoke('start-run', request);
    let [execution] = sandbox.sfn.executions();
    while (execution === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      [execution] = sandbox.sfn.executions();
    }
    const record = await sandbox.sfn.waitForExecution(execution.executionArn);
    const wallMs = performance.now() - started;
    return {
      targets,
      mode,
      status: record.status,
      wallMs,
      rssMiB: rss,
      maxPayloadBytes: record.stats.maxPayloadBytes,
      ecs: Object.fromEntries(sandbox.ecs.calls),
      transitions: record.stats.transitions,
      childExecutions: record.stats.childExecutions,
      s3: Object.fromEntries(sandbox.s3.requests),
      lambda: { requests, gbSeconds },
    };
  } finally {
    await sandbox.close();
  }
}

function cost(m: Measured): { transitions: number; lambda: number; s3: number; total: number } {
  const writes = (m.s3.PUT ?? 0) + (m.s3.POST ?? 0) + (m.s3.LIST ?? 0);
  const reads = (m.s3.GET ?? 0) + (m.s3.HEAD ?? 0);
  const transitions = m.transitions * PRICE.transition;
  const lambda = m.lambda.gbSeconds * PRICE.gbSecond + m.lambda.requests * PRICE.lambdaRequest;
  const s3 = writes * PRICE.s3Write + reads * PRICE.s3Read;
  return { transitions, lambda, s3, total: transitions + lambda + s3 };
}

const child = process.argv[2];
if (child !== undefined) {
  const [targets, mode] = child.split(':');
  const measured = await measure(Number(targets), mode as 'inline' | 'distributed');
  process.stdout.write(`${JSON.stringify(measured)}\n`);
  process.exit(0);
}

const sizes = (process.env.FLEET_SIZES ?? '10 100 1000').split(/\s+/).filter(Boolean).map(Number);
const runs = sizes.flatMap((n) => [`${n}:distributed`, ...(n <= 100 ? [`${n}:inline`] : [])]);
const rows: Measured[] = [];
for (const run of runs) {
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), run], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !line.startsWith('{')) {
    process.stderr.write(`fleet ${run} failed:\n${result.stderr.slice(-2000)}\n`);
    process.exitCode = 1;
    continue;
  }
  rows.push(JSON.parse(line) as Measured);
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);
process.stdout.write(
  '| targets | map | status | wall s | largest state B | transitions (per target) | DescribeTasks | DescribeServices | ListServices | ListTasks | ExecuteCommand | S3 PUT/GET/LIST | Lambda GB-s | RSS MiB resolve / run / report | $ transitions | $ Lambda | $ S3 | $ per run |\n',
);
process.stdout.write(`|${' --- |'.repeat(19)}\n`);
for (const m of rows) {
  const c = cost(m);
  process.stdout.write(
    `| ${m.targets} | ${m.mode} | ${m.status} | ${fmt(m.wallMs / 1000, 1)} | ${m.maxPayloadBytes} | ${m.transitions} (${fmt(m.transitions / m.targets, 2)}) | ${m.ecs.DescribeTasks ?? 0} | ${m.ecs.DescribeServices ?? 0} | ${m.ecs.ListServices ?? 0} | ${m.ecs.ListTasks ?? 0} | ${m.ecs.ExecuteCommand ?? 0} | ${m.s3.PUT ?? 0}/${(m.s3.GET ?? 0) + (m.s3.HEAD ?? 0)}/${m.s3.LIST ?? 0} | ${fmt(m.lambda.gbSeconds, 1)} | ${fmt(m.rssMiB['resolve-targets'] ?? 0)} / ${fmt(m.rssMiB['run-diagnostic'] ?? 0)} / ${fmt(m.rssMiB['write-report'] ?? 0)} | ${fmt(c.transitions, 5)} | ${fmt(c.lambda, 5)} | ${fmt(c.s3, 5)} | ${fmt(c.total, 4)} |\n`,
  );
}
