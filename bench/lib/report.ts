/** The benchmark's report: one JSON document and a Markdown table of figures against targets. */
import type { CpuShare, CpuUsed, PhaseMemory } from './procfs';
import type { IngestRunResult } from './ingest';
import type { LatencyResult } from './latency';
import type { SeqCheck } from './setup';
import type { Summary } from './stats';

export const TARGETS = {
  batchedEventsPerSecond: 20_000,
  batchedOverOriginal: 20,
  latencyP99Ms: 50,
} as const;

export interface Conditions {
  date: string;
  commit: string;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  postgresSettings: string;
  redis: string;
  loadAverageAtStart: string;
  serverCommand: string;
  batchSize: number;
  producers: number;
  batchedEvents: number;
  originalEvents: number;
  originalSpecsPerProducer: number;
  latency: { subscribers: number; batchSize: number; intervalMs: number; durationMs: number; sandboxes: number };
}

export interface PhaseReport {
  name: string;
  cpuUsed?: CpuUsed;
  cpu?: CpuShare;
  loadAverageAtEnd?: string;
}

export interface IngestReport extends Omit<IngestRunResult, 'perSpec'> {
  checks: SeqCheck[];
}

export interface BenchReport {
  conditions: Conditions;
  batched?: IngestReport;
  original?: IngestReport;
  ratio?: number;
  latency?: LatencyResult;
  memory: Record<string, PhaseMemory>;
  phases: PhaseReport[];
  /** Problems of the harness itself (lost events, gaps, failed requests): the run is not valid. */
  harnessErrors: string[];
  profile?: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mark = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? '✅' : '❌');
const lat = (s: Summary) => `p50 ${s.p50} · p95 ${s.p95} · p99 ${s.p99} · max ${s.max} ms`;

export interface TargetRow {
  figure: string;
  value: string;
  target: string;
  met: boolean | undefined;
}

export function targetRows(r: BenchReport): TargetRow[] {
  const rows: TargetRow[] = [];
  if (r.batched) {
    rows.push({
      figure: `Ingest, batched (${r.conditions.batchSize} events/POST, ${r.conditions.producers} producers)`,
      value: `${fmt(r.batched.eventsPerSecond)} events/s`,
      target: `≥ ${fmt(TARGETS.batchedEventsPerSecond)} events/s`,
      met: r.batched.eventsPerSecond >= TARGETS.batchedEventsPerSecond,
    });
  }
  if (r.original) {
    rows.push({ figure: `Ingest, original way (1 event/POST, ${r.conditions.producers} producers)`, value: `${fmt(r.original.eventsPerSecond)} events/s`, target: '(baseline)', met: undefined });
  }
  if (r.ratio !== undefined) {
    rows.push({ figure: 'Batched ÷ original way', value: `${r.ratio.toFixed(1)}×`, target: `≥ ${TARGETS.batchedOverOriginal}×`, met: r.ratio >= TARGETS.batchedOverOriginal });
  }
  if (r.latency) {
    const l = r.latency;
    rows.push({
      figure: `SSE latency, POST accepted → received (${l.subscribers} subscribers, ${fmt(l.ratePerSecond)} events/s)`,
      value: lat(l.fromAccepted),
      target: `p99 < ${TARGETS.latencyP99Ms} ms`,
      met: l.fromAccepted.p99 < TARGETS.latencyP99Ms,
    });
    rows.push({ figure: 'SSE latency, POST sent → received', value: lat(l.fromSend), target: '(for reference)', met: undefined });
    rows.push({
      figure: 'Every subscriber got every event exactly once, in order',
      value: `${l.delivery.exactlyOnceInOrder ? 'yes' : 'NO'} (${fmt(l.delivery.expectedPerSubscriber)} events × ${l.subscribers})`,
      target: 'yes',
      met: l.delivery.exactlyOnceInOrder,
    });
  }
  const idle = r.memory['idle'];
  const peak = Math.max(...Object.values(r.memory).map((m) => m.serverPeakMiB));
  if (idle) rows.push({ figure: 'Server RSS (node process), idle → peak', value: `${idle.serverPeakMiB} MiB → ${peak} MiB`, target: '(reported)', met: undefined });
  return rows;
}

export function markdownTable(rows: readonly TargetRow[]): string {
  const lines = ['| Figure | Measured | Target | Met |', '|---|---|---|---|'];
  for (const row of rows) lines.push(`| ${row.figure} | ${row.value} | ${row.target} | ${mark(row.met)} |`);
  return lines.join('\n');
}

/**
 * CPU per 1,000 events, and what that allows on an otherwise idle machine of `cores` cores: the
 * server is one node thread (≤ 1 core), and server + PostgreSQL + Redis share the cores (the
 * harness's own CPU left out). An estimate: contention inflates CPU per event somewhat too.
 */
export function cpuCost(events: number, used: CpuUsed | undefined, cores: number): { serverMs: number; postgresMs: number; redisMs: number; ceiling: number } | undefined {
  if (!used || events === 0) return undefined;
  const per = (s: number) => (s / events) * 1000;
  const serverMs = per(used.server) * 1000;
  const total = used.server + used.postgres + used.redis;
  const ceiling = Math.min(events / used.server, (cores * events) / total);
  return { serverMs: Math.round(serverMs), postgresMs: Math.round(per(used.postgres) * 1000), redisMs: Math.round(per(used.redis) * 1000), ceiling: Math.round(ceiling) };
}

function costLine(run: IngestReport, used: CpuUsed | undefined, cores: number): string {
  const c = cpuCost(run.events, used, cores);
  if (!c) return '';
  return (
    `CPU per 1,000 events: server ${c.serverMs} ms, PostgreSQL ${c.postgresMs} ms, Redis ${c.redisMs} ms → ` +
    `capacity estimate on an idle ${cores}-core machine ≈ **${fmt(c.ceiling)} events/s** (min of 1 core ÷ server CPU, ${cores} cores ÷ server+PostgreSQL+Redis CPU).`
  );
}

function ingestSection(title: string, run: IngestReport, used: CpuUsed | undefined, cores: number): string[] {
  const bad = run.checks.filter((c) => !c.ok);
  return [
    `### ${title}`,
    '',
    `${fmt(run.events)} events in ${fmt(run.posts)} POSTs over ${(run.wallMs / 1000).toFixed(2)} s → **${fmt(run.eventsPerSecond)} events/s**${run.truncated ? ' (stopped by the time bound)' : ''}.`,
    `Per POST (send → answer): ${lat(run.postLatency)}.`,
    costLine(run, used, cores),
    `SQL check: ${run.checks.length} spec(s), each with exactly the events sent and \`spec_seq\` 1..N gap-free: ${bad.length === 0 ? 'yes' : `NO — ${bad.map((c) => `${c.specId}: ${c.count} rows, ${c.distinct} distinct, ${c.min}..${c.max}, last_spec_seq ${c.lastSpecSeq}, expected ${c.expected}`).join('; ')}`}.`,
    '',
  ];
}

export function markdownReport(r: BenchReport): string {
  const c = r.conditions;
  const out: string[] = [
    `# Server benchmark — ${c.date}`,
    '',
    'Written by `npm run bench` (`bench/server.ts`); see `bench/README.md` for what each figure means and how it is measured.',
    '',
    markdownTable(targetRows(r)),
    '',
    r.harnessErrors.length ? `**The harness failed — the figures above are not valid:**\n\n${r.harnessErrors.map((e) => `- ${e}`).join('\n')}\n` : '',
    '## Conditions',
    '',
    `- Machine: ${c.cores} cores (${c.cpuModel}), ${c.memoryGiB} GiB; load average at start ${c.loadAverageAtStart} (other work on the machine shares the cores)`,
    `- Node ${c.node}; PostgreSQL ${c.postgres} (local, fresh database \`specline_bench\`); Redis ${c.redis} (local); commit ${c.commit}`,
    `- PostgreSQL settings (stock, not tuned for the benchmark): ${c.postgresSettings}`,
    `- Server: \`${c.serverCommand}\`, LOG_LEVEL=warn, SANDBOX_PROVIDER=none, one process`,
    `- Batched: ${fmt(c.batchedEvents)} \`spec.progress\` envelope events (~200-byte message), ${c.batchSize} per POST, ${c.producers} concurrent producers (one spec each, POSTs serialised per producer)`,
    `- Original way: ${fmt(c.originalEvents)} events, one per POST, ${c.producers} concurrent producers (${c.originalSpecsPerProducer} spec(s) each, round-robin, to stay under the per-sandbox rate limit)`,
    `- Latency: ${c.latency.subscribers} SSE subscribers on one spec (separate process, raw node:http readers), ${c.latency.batchSize} events every ${c.latency.intervalMs} ms for ${c.latency.durationMs / 1000} s, alternating over ${c.latency.sandboxes} sandboxes of the spec`,
    '',
    '## Details',
    '',
  ];
  const used = (name: string) => r.phases.find((p) => p.name === name)?.cpuUsed;
  if (r.batched) out.push(...ingestSection('Ingest, batched', r.batched, used('batched'), c.cores));
  if (r.original) out.push(...ingestSection('Ingest, the original way', r.original, used('original'), c.cores));
  if (r.latency) {
    const l = r.latency;
    out.push(
      '### Latency to SSE subscribers',
      '',
      `${fmt(l.measuredEvents)} events measured (after a warm-up) in ${fmt(l.posts)} POSTs over ${l.sendSeconds} s (${fmt(l.ratePerSecond)} events/s), ${l.subscribers} subscribers → ${fmt(l.fromAccepted.count)} (event, subscriber) pairs.`,
      `- POST accepted → received: ${lat(l.fromAccepted)} (mean ${l.fromAccepted.mean}); ${fmt(l.beforeAccepted)} pairs arrived before the producer had read the POST's answer (negative values).`,
      `- POST sent → received: ${lat(l.fromSend)} (mean ${l.fromSend.mean}).`,
      `- POST round trip: ${lat(l.postLatency)}; producer schedule lag: ${lat(l.scheduleLag)}.`,
      `- The subscriber process used ${l.subscriberCpuSeconds} CPU s (not in the harness column below, which is the producer's process).`,
      `- Subscribers connected in ${l.connectMs} ms; every event's \`data.sent_at\` came back intact: ${l.sentAtCarried ? 'yes' : 'NO'}.`,
      `- Delivery: ${l.delivery.exactlyOnceInOrder ? 'every subscriber received every event exactly once, in order' : `PROBLEMS: ${l.delivery.errors.join('; ')}`}${l.delivery.closed.length ? `; closed streams: ${l.delivery.closed.join('; ')}` : ''}.`,
      '',
    );
  }
  out.push('### Server memory (VmRSS, sampled every 250 ms)', '', '| Phase | Server node process, peak | Whole child tree (npx + tsx + node), peak | Samples |', '|---|---|---|---|');
  for (const [phase, m] of Object.entries(r.memory)) out.push(`| ${phase} | ${m.serverPeakMiB} MiB | ${m.treePeakMiB} MiB | ${m.samples} |`);
  out.push('', '### CPU during each phase (cores busy on average; 2.0 = the whole machine)', '', '| Phase | Server | PostgreSQL | Redis | Harness | Everything else on the machine | Load average after |', '|---|---|---|---|---|---|---|');
  for (const p of r.phases) if (p.cpu) out.push(`| ${p.name} | ${p.cpu.server} | ${p.cpu.postgres} | ${p.cpu.redis} | ${p.cpu.harness} | ${p.cpu.other} | ${p.loadAverageAtEnd ?? ''} |`);
  out.push('', 'PostgreSQL counts every postgres process of the cluster; "everything else" is the machine\'s busy time (/proc/stat) minus the columns before it: other users of the machine and, in the latency phase, the subscriber process.');
  out.push('');
  if (r.profile) out.push('### Server CPU profile', '', r.profile, '');
  return out.join('\n');
}
