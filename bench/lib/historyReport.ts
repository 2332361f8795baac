/** The history benchmark's report (`bench/history.ts`): JSON document and Markdown, before and after side by side. */
import type { Summary } from './stats';

export const HISTORY_TARGET_P99_MS = 10;

export type CaseGroup = 'target' | 'original' | 'bound';

export interface CaseResult {
  name: string;
  group: CaseGroup;
  /** The query string of the first request (cursor pages vary `before`/`after` per request). */
  example: string;
  latency: Summary;
  /** CPU per request: the server's process tree, and the PostgreSQL backends of its database (0 on PGlite: inside the server). */
  cpuMsPerRequest: { server: number; postgres: number };
  /** Events in the first answer, its first and last spec_seq, total_count and total_count_exact. */
  firstAnswer: { events: number; first: number | null; last: number | null; total_count: number; total_count_exact?: boolean; has_more: boolean };
  /** Each measured answer's spec_seq list and has_more, hashed (12 hex), to compare the variants request by request. */
  answers: string[];
}

export interface VariantResult {
  variant: 'before' | 'after';
  commit: string;
  serverCommand: string;
  loadAverageAtStart: string;
  loadAverageAtEnd: string;
  cases: CaseResult[];
  profile?: string;
}

export interface BackendResult {
  backend: 'postgres' | 'pglite';
  events: number;
  /** `reused`: an earlier run's seed, kept with --keep-seed (its durations are that run's). */
  seed: { insertMs: number; vacuumMs: number; counts: Record<string, number>; reused?: boolean };
  variants: VariantResult[];
  /** Cases whose answers (spec_seq lists) differ between before and after. */
  differences: string[];
}

export interface HistoryReport {
  conditions: { date: string; commit: string; cores: number; cpuModel: string; node: string; postgres: string; requestsPerCase: number; warmup: number; maxMsPerCase: number; quick: boolean; serverWarmup?: boolean };
  backends: BackendResult[];
  harnessErrors: string[];
}

const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x >= 100 ? String(Math.round(x)) : x.toFixed(2));

function caseTable(b: BackendResult): string[] {
  const before = b.variants.find((v) => v.variant === 'before');
  const after = b.variants.find((v) => v.variant === 'after');
  const names = (after ?? before)?.cases ?? [];
  const lines = [
    `| page | query (first request) | before p50 | before p99 | after p50 | after p99 | p99 before ÷ after | p99 < ${HISTORY_TARGET_P99_MS} ms | CPU ms/request before (server + postgres) | after | CPU before ÷ after |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of names) {
    const bc = before?.cases.find((x) => x.name === c.name);
    const ac = after?.cases.find((x) => x.name === c.name);
    const ratio = bc && ac ? (bc.latency.p99 / ac.latency.p99).toFixed(1) + '×' : '–';
    const met = ac ? (c.group === 'bound' ? `(bound) ${ac.latency.p99 < HISTORY_TARGET_P99_MS ? '✅' : '❌'}` : ac.latency.p99 < HISTORY_TARGET_P99_MS ? '✅' : '❌') : '–';
    const cpu = (x: CaseResult | undefined) => (x ? `${ms(x.cpuMsPerRequest.server)} + ${ms(x.cpuMsPerRequest.postgres)}` : '–');
    const total = (x: CaseResult) => x.cpuMsPerRequest.server + x.cpuMsPerRequest.postgres;
    const cpuRatio = bc && ac && total(ac) > 0 ? `${(total(bc) / total(ac)).toFixed(1)}×` : '–';
    lines.push(`| ${c.name} | \`${c.example}\` | ${ms(bc?.latency.p50)} | ${ms(bc?.latency.p99)} | ${ms(ac?.latency.p50)} | ${ms(ac?.latency.p99)} | ${ratio} | ${met} | ${cpu(bc)} | ${cpu(ac)} | ${cpuRatio} |`);
  }
  return lines;
}

export function historyMarkdown(r: HistoryReport): string {
  const c = r.conditions;
  const out = [
    `# History reads at ${(r.backends[0]?.events ?? 0).toLocaleString('en-US')} events in one spec — ${c.date.slice(0, 10)}`,
    '',
    '`bench/history.ts` (issue 14). The real server over HTTP (keep-alive, one request at a time), the demo user\'s bearer token, `limit=100` on every page. ' +
      `${c.serverWarmup ? 'Each server first runs every page\'s warm-up once (a fresh process pays V8\'s and PGlite\'s WASM tier-up in its first few hundred requests; `--cold` measures without it). ' : 'Cold: no server-wide warm-up (`--cold`). '}` +
      `Each page: ${c.warmup} warm-up requests, then ${c.requestsPerCase} measured (fewer when a page is slow: at most ${Math.round(c.maxMsPerCase / 1000)} s per page, at least 20). ` +
      'Latency = request written → whole answer read, in the harness. CPU ms/request = CPU time of the server\'s process tree and of the PostgreSQL backends of its database (`/proc`, 10 ms ticks) over the measured requests ÷ their number: unlike latency it hardly depends on what else the machine runs (see the load averages). Target: p99 < 10 ms for every listed page (groups `target` and `original`); `bound` rows are the documented cost of a filtered deep offset, not a target.',
    '',
    `Conditions: ${c.cores} cores (${c.cpuModel}), Node ${c.node}, PostgreSQL ${c.postgres}, commit ${c.commit}${c.quick ? ', **quick run**' : ''}.`,
    '',
  ];
  for (const b of r.backends) {
    out.push(`## ${b.backend}`, '');
    out.push(
      `Seed: ${b.events.toLocaleString('en-US')} events (${Object.entries(b.seed.counts)
        .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
        .join(', ')}) in ${Math.round(b.seed.insertMs / 1000)} s, VACUUM ANALYZE ${Math.round(b.seed.vacuumMs / 1000)} s${b.seed.reused ? ' (an earlier run\'s seed, reused with `--keep-seed`)' : ''}.`,
      '',
    );
    for (const v of b.variants) out.push(`- ${v.variant}: commit ${v.commit}, \`${v.serverCommand}\`, load average ${v.loadAverageAtStart} → ${v.loadAverageAtEnd}`);
    out.push('', ...caseTable(b), '');
    out.push(b.differences.length ? `Answers that differ between before and after: ${b.differences.join('; ')}` : 'Every page answered the same events before and after (spec_seq lists and has_more compared request by request, over the requests both variants made).', '');
    const after = b.variants.find((v) => v.variant === 'after');
    const first = after?.cases.filter((x) => x.firstAnswer.total_count_exact === false).map((x) => `${x.name} (${x.firstAnswer.total_count.toLocaleString('en-US')})`);
    if (first?.length) out.push(`Capped counts after (\`total_count_exact: false\`): ${first.join(', ')}.`, '');
    for (const v of b.variants) if (v.profile) out.push(`### Profile, ${b.backend}, ${v.variant}`, '', v.profile, '');
  }
  if (r.harnessErrors.length) out.push('## Harness errors', '', ...r.harnessErrors.map((e) => `- ${e}`), '');
  return `${out.join('\n')}\n`;
}
