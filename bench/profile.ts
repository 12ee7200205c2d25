/**
 * Where the CPU goes under the benchmark's Converse load (`npx tsx bench/profile.ts
 * [gateway|workers|none] [concurrency] [requests]`): CPU microseconds per request of each
 * process, through the gateway and direct (from /proc, so other load on the machine does not
 * skew them as it skews req/s); then, unless `none`, that side runs with `--cpu-prof` and the
 * functions with the most self time are printed.
 */
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RegistryConfig } from '../lib/runtime/routing/registry-config';
import { direct, measure, serve, stop, summarise, viaGateway } from './load';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function topFrames(profile: Profile, count: number): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const where = frame.url ? `${frame.url.replace(/^.*\/(node_modules|work\/main)\//, '')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`;
    const us = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  });
  const idle = self.get('(idle) ') ?? 0;
  console.log(`busy ${((total - idle) / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / (total - idle)).toFixed(1).padStart(5)}%  ${key}`);
  }
}

/** User and system CPU of a process so far, in microseconds (Linux /proc; clock ticks of 10 ms). */
function cpuMicros(pid: number): { user: number; system: number } {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
}

async function main(): Promise<void> {
  const [side = 'gateway', concurrencyArg = '16', requestsArg = '3000'] = process.argv.slice(2);
  const concurrency = Number(concurrencyArg);
  const requests = Number(requestsArg);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-profile-'));
  const flags = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  const children: ChildProcess[] = [];
  try {
    const registry = JSON.parse(await serve(['workers', '8192'], children, side === 'workers' ? flags : [])) as RegistryConfig;
    const endpoint = await serve(['gateway', JSON.stringify(registry)], children, side === 'gateway' ? flags : []);
    const [workers, gateway] = children;
    for (const [name, call] of [['gateway', viaGateway(endpoint)], ['direct', direct(registry)]] as const) {
      await measure(200, 8, call);
      const before = [cpuMicros(workers.pid!), cpuMicros(gateway.pid!), process.cpuUsage()] as const;
      const result = summarise([await measure(requests, concurrency, call)]);
      const load = process.cpuUsage(before[2]);
      const loadNow = { user: load.user, system: load.system };
      const per = (us: number) => (us / requests).toFixed(0).padStart(4);
      const split = (now: { user: number; system: number }, then: { user: number; system: number }) =>
        `${per(now.user + now.system - then.user - then.system)} (user ${per(now.user - then.user)} + system ${per(now.system - then.system)})`;
      console.log(
        `${name.padEnd(8)} ${result.rps.toFixed(0).padStart(5)} req/s, ${result.failed} failed; CPU us per request: ` +
          `load generator ${split(loadNow, { user: 0, system: 0 })}, gateway ${split(cpuMicros(gateway.pid!), before[1])}, workers ${split(cpuMicros(workers.pid!), before[0])}`,
      );
    }
  } finally {
    await stop(children);
  }
  if (side === 'none') return;
  const file = fs.readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  topFrames(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Profile, 40);
  console.log(`profile: ${path.join(dir, file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
