/** The streams benchmark's report: figures against the issue 14 targets, before and after side by side. */
import type { CpuShare, PhaseMemory } from './procfs';
import type { Summary } from './stats';
import type { LoopDelay, ServerMetrics } from './streamsRun';

export const STREAM_TARGETS = { stormCaughtUpMs: 2_000, steadyLagP99Ms: 50, steadyDeliveryP99Ms: 100, stormRssMiB: 600 } as const;

interface Common {
  clients: number;
  connectMs: number;
  eventLoop: LoopDelay | undefined;
  closedByServer: string[];
  /** Streams the server closed (slow_consumer) that the client resumed with Last-Event-ID on its own. */
  serverCloses?: number;
  harnessCpuSeconds: number;
  cpu: CpuShare;
  wallSeconds: number;
  hub: ServerMetrics['hub'] | undefined;
  lost: number;
  /** (client, event) pairs still missing when the run ended (late, not skipped). */
  undelivered?: number;
  duplicated: number;
  /** Per server process (one unless `--servers`): CPU used in the phase, RSS peak, event-loop delay p99. */
  perServer?: { cpuSeconds: number; cores: number; rssPeakMiB: number | undefined; loopP99: number | undefined }[];
}

export interface SteadyFigures extends Common {
  events: number;
  eventsPerSecond: number;
  delivery: Summary;
  postLatency: Summary;
}

export interface StormFigures extends Common {
  dropMs: number;
  /** Events committed while the clients were away. */
  missedPerClient: number;
  target: number;
  /** Reconnect → every client has every event committed before the reconnect; undefined past the timeout. */
  caughtUpMs: number | undefined;
  catchUpTimeoutMs: number;
  reconnectMs: number;
  reconnectFailed: number;
  serverRssPeakMiB: number | undefined;
  postDuringStorm: Summary;
  postBefore: Summary;
  /** Machine-wide TCP counters over reconnect → caught up: accept-queue overflows and SYN retransmits (each costs a client ≥ 1 s). */
  tcp?: { listenOverflows: number; synRetrans: number };
}

export interface StreamsRun {
  label: string;
  commit: string;
  loadAverageAtStart: string;
  loadAverageAtEnd?: string;
  steady?: SteadyFigures;
  storm?: StormFigures;
  memory: Record<string, PhaseMemory>;
  /** The CPUs each side was allowed (`Cpus_allowed_list` of the server node process and the producer). */
  placement?: string;
  errors: string[];
  profile?: string;
}

export interface StreamsReport {
  date: string;
  machine: { cores: number; cpuModel: string; memoryGiB: number; node: string };
  backend: string;
  settings: Record<string, unknown>;
  runs: StreamsRun[];
}

const mark = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? '✅' : '❌');
const n = (x: number | undefined, unit = ' ms') => (x === undefined || Number.isNaN(x) ? 'n/a' : `${Math.round(x * 10) / 10}${unit}`);
/** before ÷ after, for figures where lower is better (> 1: after is better). */
const ratio = (before: number | undefined, after: number | undefined) =>
  before === undefined || after === undefined || Number.isNaN(before) || Number.isNaN(after) || after <= 0 ? '' : ` (before ÷ after ${Math.round((before / after) * 10) / 10})`;

interface Row {
  figure: string;
  target: string;
  value: (r: StreamsRun) => number | undefined;
  unit?: string;
  ok?: (v: number, r: StreamsRun) => boolean;
  /** Shown when the value is undefined. */
  missing?: (r: StreamsRun) => string;
  /** Higher is better: no before ÷ after ratio. */
  higher?: boolean;
}

const ROWS: Row[] = [
  {
    figure: 'storm: reconnect → all caught up',
    target: `< ${STREAM_TARGETS.stormCaughtUpMs} ms`,
    value: (r) => r.storm?.caughtUpMs,
    ok: (v) => v < STREAM_TARGETS.stormCaughtUpMs,
    missing: (r) => (r.storm ? `> ${r.storm.catchUpTimeoutMs} ms (timeout)` : 'n/a'),
  },
  { figure: 'storm: lost / duplicated events', target: '0 / 0', value: (r) => (r.storm ? r.storm.lost + r.storm.duplicated : undefined), unit: '', ok: (v) => v === 0, higher: true },
  { figure: 'storm: event-loop delay p99', target: '–', value: (r) => r.storm?.eventLoop?.p99 },
  { figure: 'storm: server RSS peak', target: `< ${STREAM_TARGETS.stormRssMiB} MiB`, value: (r) => r.storm?.serverRssPeakMiB, unit: ' MiB', ok: (v) => v < STREAM_TARGETS.stormRssMiB },
  { figure: 'storm: ingest POST p99 during the storm', target: '–', value: (r) => r.storm?.postDuringStorm.p99 },
  { figure: 'storm: ingest POST p50 during the storm', target: '–', value: (r) => r.storm?.postDuringStorm.p50 },
  { figure: 'steady: delivery p99 (receipt − POST accepted)', target: `< ${STREAM_TARGETS.steadyDeliveryP99Ms} ms`, value: (r) => r.steady?.delivery.p99, ok: (v) => v < STREAM_TARGETS.steadyDeliveryP99Ms },
  { figure: 'steady: event-loop delay p99', target: `< ${STREAM_TARGETS.steadyLagP99Ms} ms`, value: (r) => r.steady?.eventLoop?.p99, ok: (v) => v < STREAM_TARGETS.steadyLagP99Ms },
  { figure: 'steady: delivery p50', target: '–', value: (r) => r.steady?.delivery.p50 },
  { figure: 'steady: events/s delivered to every client', target: '500', value: (r) => r.steady?.eventsPerSecond, unit: '', higher: true },
];

const lat = (s: Summary | undefined) => (s ? `p50 ${s.p50} · p95 ${s.p95} · p99 ${s.p99} · max ${s.max} ms (${s.count})` : 'n/a');
/** Cores busy on average over the phase (CPU-seconds ÷ wall seconds); the fleets' CPU-seconds also as cores. */
const cpu = (c: CpuShare | undefined, wall: number | undefined, fleets: number) =>
  c && wall
    ? `cores busy on average over ${Math.round(wall * 10) / 10} s wall: server ${c.server} · postgres ${c.postgres} · redis ${c.redis} · harness parent (producer) ${c.harness} · client fleets ${Math.round((fleets / wall) * 100) / 100} (${fleets} CPU-s) · other ${c.other} (other work on the machine, fleets included)`
    : 'n/a';
const perServer = (c: Common) =>
  c.perServer && c.perServer.length > 1
    ? `- per server process: ${c.perServer.map((p, i) => `#${i} ${p.cpuSeconds} CPU-s (${p.cores} cores), RSS peak ${n(p.rssPeakMiB, ' MiB')}, loop p99 ${n(p.loopP99)}`).join(' · ')}; together ${Math.round(c.perServer.reduce((t, p) => t + p.cpuSeconds, 0) * 100) / 100} CPU-s`
    : undefined;

export function streamsMarkdown(report: StreamsReport): string {
  const after = report.runs[report.runs.length - 1]!;
  const before = report.runs.length > 1 ? report.runs[0] : undefined;
  const lines: string[] = [];
  lines.push(`# Stream fan-out benchmark — ${report.date.slice(0, 10)}`, '');
  lines.push(`${report.backend}; ${report.machine.cores} cores (${report.machine.cpuModel}), ${report.machine.memoryGiB} GiB, Node ${report.machine.node}.`);
  lines.push(`Clients: ${String(report.settings['clients'])} SSE connections on one spec, ${String((report.settings['users'] as number | undefined) ?? 1)} users, in ${String(report.settings['fleetProcesses'])} child processes, ${String((report.settings['servers'] as number | undefined) ?? 1)} server process(es); placement: ${(report.settings['placement'] as string | undefined) ?? 'unpinned'}; 500 events/s (25 every 50 ms, 2 sandboxes, one POST in flight each).${report.settings['quick'] ? ' **Quick run** (small, not the figures of record).' : ''}`, '');
  const head = before ? `| figure | target | before (${before.commit}) | after (${after.commit}) | met |` : `| figure | target | value (${after.commit}) | met |`;
  lines.push(head, before ? '|---|---|---|---|---|' : '|---|---|---|---|');
  for (const row of ROWS) {
    const show = (r: StreamsRun) => {
      const v = row.value(r);
      return v === undefined ? (row.missing?.(r) ?? 'n/a') : n(v, row.unit ?? ' ms');
    };
    const v = row.value(after);
    const met = row.ok && v !== undefined ? row.ok(v, after) : row.ok && row.missing && after.storm ? false : undefined;
    const cells = before ? [show(before), `${show(after)}${row.higher ? '' : ratio(row.value(before), v)}`] : [show(after)];
    lines.push(`| ${row.figure} | ${row.target} | ${cells.join(' | ')} | ${mark(met)} |`);
  }
  lines.push('');
  for (const r of report.runs) {
    lines.push(`## ${r.label} (${r.commit})`, '');
    lines.push(`Load average at start ${r.loadAverageAtStart}, at end ${r.loadAverageAtEnd ?? 'n/a'} (2 cores: above 2 the figures are contention-bound).`, '');
    if (r.placement) lines.push(`CPUs allowed: ${r.placement}; the client fleets inherit the producer's.`, '');
    if (r.steady) {
      const s = r.steady;
      lines.push('### steady', '');
      lines.push(`- ${s.clients} clients (connected in ${s.connectMs} ms), ${s.events} events measured at ${s.eventsPerSecond}/s; lost ${s.lost}, duplicated ${s.duplicated}, still in flight at the end ${s.undelivered ?? 'n/a'} (client, event) pairs`);
      lines.push(`- delivery (receipt − POST accepted, worst fleet's percentiles): ${lat(s.delivery)}`);
      lines.push(`- event-loop delay: ${s.eventLoop ? `p50 ${s.eventLoop.p50} · p99 ${s.eventLoop.p99} · max ${s.eventLoop.max} ms` : 'n/a'}`);
      lines.push(`- ingest POST: ${lat(s.postLatency)}`);
      lines.push(`- CPU: ${cpu(s.cpu, s.wallSeconds, s.harnessCpuSeconds)}`);
      const per = perServer(s);
      if (per) lines.push(per);
      if (s.hub) lines.push(`- hub: ${JSON.stringify(s.hub)}`);
      if (s.closedByServer.length) lines.push(`- closed by the server ${s.serverCloses ?? '?'} times (each client resumed): ${s.closedByServer.join(' | ')}`);
      lines.push('');
    }
    if (r.storm) {
      const s = r.storm;
      lines.push('### storm', '');
      lines.push(`- ${s.clients} clients dropped at once for ${s.dropMs} ms (${s.missedPerClient} events committed meanwhile), reconnected with Last-Event-ID (all answered in ${s.reconnectMs} ms, ${s.reconnectFailed} failed)`);
      lines.push(`- caught up (every client has spec_seq ${s.target}): ${s.caughtUpMs === undefined ? `not within ${s.catchUpTimeoutMs} ms` : `${s.caughtUpMs} ms after the reconnect`}; lost ${s.lost}, duplicated ${s.duplicated}, still in flight at the end ${s.undelivered ?? 'n/a'} (client, event) pairs`);
      lines.push(`- event-loop delay (drop → end of storm window): ${s.eventLoop ? `p50 ${s.eventLoop.p50} · p99 ${s.eventLoop.p99} · max ${s.eventLoop.max} ms` : 'n/a'}`);
      lines.push(`- server RSS peak ${n(s.serverRssPeakMiB, ' MiB')}`);
      if (s.tcp) lines.push(`- TCP during the reconnect (machine-wide): ${s.tcp.listenOverflows} accept-queue overflows, ${s.tcp.synRetrans} SYN retransmits (a dropped SYN is retried after 1 s, then 3 s, …)`);
      lines.push(`- ingest POST during the storm (reconnect → max(caught up, +2 s)): ${lat(s.postDuringStorm)}; before the drop: ${lat(s.postBefore)}`);
      lines.push(`- CPU: ${cpu(s.cpu, s.wallSeconds, s.harnessCpuSeconds)}`);
      const per = perServer(s);
      if (per) lines.push(per);
      if (s.hub) lines.push(`- hub: ${JSON.stringify(s.hub)}`);
      if (s.closedByServer.length) lines.push(`- closed by the server ${s.serverCloses ?? '?'} times (each client resumed): ${s.closedByServer.join(' | ')}`);
      lines.push('');
    }
    lines.push('Memory per phase (server node process / whole tree, peak MiB): ' + Object.entries(r.memory).map(([k, m]) => `${k} ${m.serverPeakMiB}/${m.treePeakMiB}`).join(' · '), '');
    if (r.errors.length) lines.push('**Harness errors:**', ...r.errors.map((e) => `- ${e}`), '');
    if (r.profile) lines.push(r.profile, '');
  }
  return lines.join('\n');
}
