/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by where the code
 * lives (a package under node_modules, the server's own source, node internals, GC/idle).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function owner(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const clean = url.replace(/^file:\/\//, '');
  const nm = clean.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = clean.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (clean.startsWith('node:')) return 'node internals';
  const src = clean.indexOf('/apps/server/src/');
  if (src !== -1) return `server: ${clean.slice(src + '/apps/server/src/'.length)}`;
  const pkg = clean.indexOf('/packages/');
  if (pkg !== -1) return `@specline/${clean.slice(pkg + '/packages/'.length).split('/')[0]}`;
  return clean;
}

export interface ProfileSummary {
  totalMs: number;
  sampledMs: number;
  byOwner: { owner: string; ms: number; pct: number }[];
  byFunction: { fn: string; ms: number; pct: number }[];
}

/** A phase's window in monotonic ms (the harness's `nowMs()`: the clock V8 stamps samples with, in µs). */
export interface Window {
  name: string;
  startMs: number;
  endMs: number;
}

/** Self time per profile node, of the samples inside `window` (all samples without one). */
function selfTimes(profile: CpuProfile, window?: Window): Map<number, number> {
  const self = new Map<number, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window.startMs * 1000 || t > window.endMs * 1000)) return;
    self.set(id, (self.get(id) ?? 0) + delta);
  });
  return self;
}

export function summarizeProfile(profile: CpuProfile, top = 20, window?: Window): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = selfTimes(profile, window);
  const owners = new Map<string, number>();
  const fns = new Map<string, number>();
  let sampled = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const o = owner(url, functionName);
    owners.set(o, (owners.get(o) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} — ${url ? `${o}:${lineNumber + 1}` : o}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    sampled += us;
  }
  const busy = sampled - (owners.get('(idle)') ?? 0);
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .filter(([k]) => k !== '(idle)' && !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ key: k, ms: Math.round(us / 1000), pct: Math.round((us / busy) * 1000) / 10 }));
  return {
    totalMs: Math.round(window ? window.endMs - window.startMs : (profile.endTime - profile.startTime) / 1000),
    sampledMs: Math.round(busy / 1000),
    byOwner: rank(owners).map(({ key, ms, pct }) => ({ owner: key, ms, pct })),
    byFunction: rank(fns).map(({ key, ms, pct }) => ({ fn: key, ms, pct })),
  };
}

function summaryMarkdown(title: string, s: ProfileSummary, top: number): string[] {
  return [
    `#### ${title}: ${s.totalMs} ms wall, ${s.sampledMs} ms on CPU in the server's main thread`,
    '',
    '| Where (self time) | ms | % of on-CPU |',
    '|---|---|---|',
    ...s.byOwner.slice(0, 12).map((o) => `| ${o.owner} | ${o.ms} | ${o.pct} |`),
    '',
    '| Function (self time) | ms | % of on-CPU |',
    '|---|---|---|',
    ...s.byFunction.slice(0, top).map((f) => `| ${f.fn.replace(/\|/g, '\\|')} | ${f.ms} | ${f.pct} |`),
    '',
  ];
}

/**
 * Markdown for the server's main-thread profile in `dir` (the largest `.cpuprofile`: tsx's loader
 * thread writes a small one too), one summary per phase window.
 */
export function profileMarkdown(dir: string, windows: readonly Window[], top = 20): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ f, size: statSync(path.join(dir, f)).size }))
    .sort((a, b) => b.size - a.size);
  if (!files.length) return `(no .cpuprofile was written to ${dir})`;
  const file = path.join(dir, files[0]!.f);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const lines = [`Server main thread, \`${file}\` (\`node --cpu-prof\`).`, ''];
  const first = windows[0];
  // V8 stamps samples with the monotonic clock in µs; if that does not hold here, summarise the whole run.
  const aligned = first !== undefined && profile.startTime / 1000 <= first.startMs && profile.endTime / 1000 >= first.startMs;
  if (!aligned) return [...lines, ...summaryMarkdown('Whole run (phase windows did not line up with the profile clock)', summarizeProfile(profile, top), top)].join('\n');
  for (const w of windows) lines.push(...summaryMarkdown(w.name, summarizeProfile(profile, top, w), top));
  return lines.join('\n');
}
