/**
 * `ecs-diag attach` capturing a large output to a file, as a whole process: its peak RSS and CPU, and the floor
 * under them (a Node process that only loads what attach needs: ws and the SSM and KMS clients, created). The
 * agent emulator runs in a child process; the CLI is the built bundle (build/build.mjs). Byte-exact, no violations.
 *
 *   npm run bench -- capture-attach      (CAPTURE_ATTACH_MB=1024 by default)
 *   CAPTURE_ATTACH_NODE_FLAGS='--max-semi-space-size=1' ...   (V8 flags for the attach process only)
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionCredentials } from '#lib/ssm-session/index.ts';
import { buildCli } from '../build/build.mjs';
import { forkServerChild } from './server-child.ts';

const MB = 1024 * 1024;
const megabytes = Number(process.env.CAPTURE_ATTACH_MB ?? '1024');
const bytes = Math.round(megabytes * MB);
const dir = mkdtempSync(join(tmpdir(), 'capture-attach-'));
const usageFile = join(dir, 'usage');
// Written at exit by the child itself: that process's own CPU and peak RSS, and (on Linux, sampled every 20 ms)
// the peaks of its anonymous memory and of its file-backed pages (the node binary's code, shared and clean).
const reportUsage = `data:text/javascript,import{writeFileSync,readFileSync,existsSync}from"node:fs";let a=0,f=0;const s=()=>{const t=readFileSync("/proc/self/status","utf8");const k=n=>Number(new RegExp(n+":\\\\s+(\\\\d+)").exec(t)?.[1]??0)*1024;a=Math.max(a,k("RssAnon"));f=Math.max(f,k("RssFile"))};const linux=existsSync("/proc/self/status");if(linux)setInterval(s,20).unref();process.on("exit",()=>{if(linux)s();const u=process.resourceUsage();writeFileSync(${JSON.stringify(usageFile)},JSON.stringify({cpu:(u.userCPUTime+u.systemCPUTime)/1e6,maxRss:u.maxRSS*1024,anon:a,file:f}))});`;
const floorScript = `import WebSocket from "ws";import{SSMClient}from"@aws-sdk/client-ssm";import{KMSClient}from"@aws-sdk/client-kms";new SSMClient({region:"eu-west-1"});new KMSClient({region:"eu-west-1"});void WebSocket;`;

interface Usage {
  cpu: number;
  maxRss: number;
  anon: number;
  file: number;
  wall: number;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Usage> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', reportUsage, ...args],
      { env, maxBuffer: 16 * MB },
      (error, _out, stderr) => {
        if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
        else resolve({ ...JSON.parse(readFileSync(usageFile, 'utf8')), wall: performance.now() - started });
      },
    );
  });
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const { child, next } = forkServerChild(new URL('./capture.bench.ts', import.meta.url).pathname);
process.on('exit', () => child.kill());
const ready = await next();
try {
  const { file: cli } = await buildCli(join(dir, 'cli'));
  const env = {
    ...process.env,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_SSM: ready.httpEndpoint as string,
    AWS_ENDPOINT_URL_KMS: ready.httpEndpoint as string,
  };
  const bare = await run(['-e', '0'], env);
  const floor = await run(['--input-type=module', '-e', floorScript], { ...env, NODE_PATH: '' });
  const attach = async (size: number) => {
    child.send({ type: 'session', bytes: size, kms: false });
    const { session } = (await next()) as { session: SessionCredentials };
    const out = join(dir, 'out');
    const flags = (process.env.CAPTURE_ATTACH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
    const usage = await run(
      [...flags, cli, 'attach', '--session', JSON.stringify(session), '--out', out],
      env,
    );
    child.send({ type: 'report', sessionId: session.sessionId });
    const { report } = (await next()) as { report: { outputSha256: string; violations: string[] } };
    if ((await sha256File(out)) !== report.outputSha256 || report.violations.length > 0) {
      throw new Error(`attach was not byte-exact or had violations: ${JSON.stringify(report.violations)}`);
    }
    rmSync(out);
    return usage;
  };
  const small = await attach(1024);
  const large = await attach(bytes);
  const line = (name: string, usage: Usage) =>
    `${name.padEnd(44)} peak RSS ${(usage.maxRss / MB).toFixed(1).padStart(6)} MiB (anon ${(usage.anon / MB).toFixed(1).padStart(5)}, file ${(usage.file / MB).toFixed(1).padStart(5)})  CPU ${usage.cpu.toFixed(2).padStart(6)} s  wall ${(usage.wall / 1000).toFixed(1).padStart(5)} s`;
  process.stdout.write(
    [
      `ecs-diag attach --out FILE (built CLI), emulator in a child process, Node ${process.version}`,
      line('node -e 0', bare),
      line('floor: ws + SSM and KMS clients, created', floor),
      line('attach, 1 KiB', small),
      line(`attach, ${megabytes} MB`, large),
      `attach CPU-s/MB net of the 1 KiB run        ${((large.cpu - small.cpu) / megabytes).toFixed(4)}`,
      '',
    ].join('\n'),
  );
} finally {
  child.send({ type: 'stop' });
  rmSync(dir, { recursive: true, force: true });
}
