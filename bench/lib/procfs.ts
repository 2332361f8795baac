/**
 * What the benchmark reads from /proc: process trees, resident memory (VmRSS) and CPU time, and a
 * monitor that samples the server's memory every 250 ms and keeps the peak per phase.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** user + system CPU time, in clock ticks. */
  ticks: number;
}

let clockTicks: number | undefined;
/** Clock ticks per second of /proc CPU times (`getconf CLK_TCK`, 100 on Linux). */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may hold spaces: the fields after the LAST ')' are fixed.
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    const rest = text.slice(close + 2).split(' ');
    // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { pid, ppid: Number(rest[1]), comm: text.slice(open + 1, close), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return undefined; // the process is gone
  }
}

/** VmRSS in kB, or 0 when the process is gone. */
export function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const s of allStats()) {
    const list = children.get(s.ppid) ?? [];
    list.push(s.pid);
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU seconds used so far by these pids (processes that ended are not counted). */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) ticks += readStat(pid)?.ticks ?? 0;
  return ticks / clockTicksPerSecond();
}

/** Pids whose command name starts with `prefix` (`postgres`, `redis-server`). */
export function pidsByComm(prefix: string): number[] {
  return allStats()
    .filter((s) => s.comm.startsWith(prefix))
    .map((s) => s.pid);
}

export interface CpuSnapshot {
  server: number;
  tree: number;
  /** CPU ticks per postgres process (backends come and go: shares are computed per pid). */
  postgres: Map<number, number>;
  redis: number;
  harness: number;
  /** Busy CPU seconds of the whole machine (all cores, /proc/stat). */
  machine: number;
  wallMs: number;
}

/** Busy CPU seconds of the whole machine since boot: user + nice + system + irq + softirq + steal. */
export function machineBusySeconds(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / clockTicksPerSecond();
  } catch {
    return 0;
  }
}

function ticksByPid(prefix: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pidsByComm(prefix)) {
    const stat = readStat(pid);
    if (stat) out.set(pid, stat.ticks);
  }
  return out;
}

export interface PhaseMemory {
  /** Peak VmRSS of the server process (the node process that runs main.ts), MiB. */
  serverPeakMiB: number;
  /** Peak of the sum over the whole child tree (npx, tsx, node), MiB. */
  treePeakMiB: number;
  samples: number;
}

const mib = (kb: number) => Math.round((kb / 1024) * 10) / 10;

/**
 * Samples the child tree's VmRSS every `intervalMs`; `phase(name)` starts attributing samples to a
 * new phase. `serverPid` is the leaf node process that runs the server (found from the tree).
 */
export class ResourceMonitor {
  private timer: NodeJS.Timeout | undefined;
  private tree: number[] = [];
  private ticksSinceScan = 0;
  private current = 'startup';
  readonly phases = new Map<string, PhaseMemory>();
  serverPid: number;

  constructor(
    readonly rootPid: number,
    readonly intervalMs = 250,
  ) {
    this.serverPid = rootPid;
    this.rescan();
  }

  /** Re-reads the tree; the server is the deepest process whose command line runs main.ts. */
  rescan(): void {
    this.tree = processTree(this.rootPid);
    const runners = this.tree.filter((pid) => cmdline(pid).includes('main.ts'));
    if (runners.length) this.serverPid = runners[runners.length - 1]!;
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  phase(name: string): void {
    this.current = name;
    this.sample();
  }

  sample(): void {
    if (++this.ticksSinceScan >= 8) {
      this.ticksSinceScan = 0;
      this.rescan();
    }
    let total = 0;
    for (const pid of this.tree) total += rssKb(pid);
    const server = rssKb(this.serverPid);
    const entry = this.phases.get(this.current) ?? { serverPeakMiB: 0, treePeakMiB: 0, samples: 0 };
    entry.serverPeakMiB = Math.max(entry.serverPeakMiB, mib(server));
    entry.treePeakMiB = Math.max(entry.treePeakMiB, mib(total));
    entry.samples++;
    this.phases.set(this.current, entry);
  }

  cpu(): CpuSnapshot {
    const usage = process.cpuUsage();
    return {
      server: cpuSeconds([this.serverPid]),
      tree: cpuSeconds(this.tree),
      postgres: ticksByPid('postgres'),
      redis: cpuSeconds(pidsByComm('redis-server')),
      harness: (usage.user + usage.system) / 1e6,
      machine: machineBusySeconds(),
      wallMs: performance.now(),
    };
  }
}

export interface CpuUsed {
  wallSeconds: number;
  /** CPU seconds between two snapshots, per consumer. */
  server: number;
  postgres: number;
  redis: number;
  harness: number;
  /** Everything else busy on the machine (other users' work; in the latency phase also the subscriber process). */
  other: number;
}

/** CPU seconds per wall second (1.0 = one core busy), per consumer. */
export type CpuShare = Omit<CpuUsed, 'wallSeconds'>;

/**
 * CPU used between two snapshots. Postgres counts every postgres process of the machine (other
 * users of the cluster too); a backend that ended between the snapshots is not counted.
 */
export function cpuUsed(a: CpuSnapshot, b: CpuSnapshot): CpuUsed {
  let pgTicks = 0;
  for (const [pid, ticks] of b.postgres) pgTicks += ticks - (a.postgres.get(pid) ?? 0);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  const server = b.server - a.server;
  const postgres = pgTicks / clockTicksPerSecond();
  const redis = b.redis - a.redis;
  const harness = b.harness - a.harness;
  return {
    wallSeconds: r((b.wallMs - a.wallMs) / 1000),
    server: r(server),
    postgres: r(postgres),
    redis: r(redis),
    harness: r(harness),
    other: r(Math.max(0, b.machine - a.machine - server - postgres - redis - harness)),
  };
}

export function cpuShare(used: CpuUsed): CpuShare {
  const r = (x: number) => Math.round((x / used.wallSeconds) * 100) / 100;
  return { server: r(used.server), postgres: r(used.postgres), redis: r(used.redis), harness: r(used.harness), other: r(used.other) };
}

export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}
