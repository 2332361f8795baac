/**
 * Code index benchmark (issue 9): generates a 20,000-file multi-language tree (TypeScript, Python,
 * Go, Java, Rust, Ruby sources with classes, functions, routes and models; docs and configs; a
 * node_modules, a vendored tree and generated files the index must skip or flag) in a temp
 * directory, indexes it in a fresh child process with the default parse workers and again in one
 * thread, then indexes this repository. Reports wall time, files/s, CPU time, peak RSS (the child's
 * `maxRSS`: main thread + workers), peak heap, the search index build and a query, and the load
 * average (the machine is shared: a load far above the core count means contention-bound figures).
 * Writes bench/results/codeindex-<date>.md and codeindex-latest.json. A report, not a test: a missed
 * target is written down and the exit code stays 0.
 *
 *   npx tsx bench/codeindex.ts              # full run, report into bench/results/
 *   npx tsx bench/codeindex.ts --files=2000 # smaller tree, report to a temp dir
 *   npx tsx bench/codeindex.ts --generate=DIR [--files=N]   # only write the tree (to profile against)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCodeIndex } from '../packages/sandbox/src/codeindex/index';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_FILES = 20_000;
const TARGET_SECONDS = 10;

interface ChildResult {
  files: number;
  symbols: number;
  routes: number;
  models: number;
  wallMs: number;
  cpuMs: number;
  maxRssMiB: number;
  peakHeapMiB: number;
  searchBuildMs: number;
  searchQueryMs: number;
  cacheJsonMiB: number;
  workers: string;
  truncated: boolean;
}

// ---------------------------------------------------------------- the generated tree

/** Deterministic PRNG (mulberry32), so every run indexes the same tree. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['order', 'invoice', 'customer', 'payment', 'refund', 'cart', 'product', 'review', 'account', 'session', 'token', 'tenant', 'limit', 'report', 'shipment', 'stock', 'price', 'coupon', 'email', 'audit'];

function generator(seed: number) {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const camel = (a: string, b: string) => `${a}${b[0]!.toUpperCase()}${b.slice(1)}`;
  const pascal = (a: string, b: string) => `${a[0]!.toUpperCase()}${a.slice(1)}${b[0]!.toUpperCase()}${b.slice(1)}`;
  const body = (indent: string, lines: number, comment: string) => Array.from({ length: lines }, (_, i) => `${indent}${comment} step ${i}: keep the ${pick(WORDS)} consistent`).join('\n');

  const ts = (i: number) => {
    const a = pick(WORDS);
    const b = pick(WORDS);
    const methods = Array.from({ length: int(2, 8) }, (_, m) => `  /** ${pascal(a, b)} operation ${m}. */\n  async ${camel(pick(WORDS), `op${m}`)}(input: ${pascal(a, 'input')}): Promise<number> {\n${body('    ', int(2, 10), '//')}\n    return input.count + ${m};\n  }`).join('\n\n');
    const routes = rand() < 0.3 ? `\nexport const ${camel(a, 'routes')}${i} = async (app: App) => {\n  app.get('/${a}s/:id', async () => ({}));\n  app.post('/${a}s', async () => ({}));\n};\n` : '';
    return `/** ${pascal(a, b)} service: business rules for ${a}s. */\nimport { z } from 'zod';\n\nexport interface ${pascal(a, 'input')} { id: string; count: number }\nexport type ${pascal(b, 'id')} = string;\n\nexport class ${pascal(a, b)}Service${i} {\n${methods}\n}\n\nexport function ${camel(b, 'helper')}${i}(value: number): number {\n${body('  ', int(1, 6), '//')}\n  return value * 2;\n}\n${routes}`;
  };
  const py = (i: number) => {
    const a = pick(WORDS);
    const methods = Array.from({ length: int(2, 7) }, (_, m) => `    def ${a}_op_${m}(self, value: int) -> int:\n        """${a} operation ${m}."""\n${body('        ', int(2, 8), '#')}\n        return value + ${m}\n`).join('\n');
    const route = rand() < 0.3 ? `\n@router.get("/${a}s/{item_id}")\ndef read_${a}_${i}(item_id: int):\n    return {"id": item_id}\n` : '';
    return `"""${a} module ${i}."""\nfrom fastapi import APIRouter\n\nrouter = APIRouter(prefix="/v${i % 3}")\n\n\nclass ${pascal(a, 'manager')}${i}:\n    """Manages ${a}s."""\n\n${methods}\n\ndef make_${a}_${i}(value):\n${body('    ', int(1, 5), '#')}\n    return value\n${route}`;
  };
  const go = (i: number) => {
    const a = pick(WORDS);
    const funcs = Array.from({ length: int(2, 7) }, (_, m) => `// ${pascal(a, `op${m}`)} runs operation ${m}.\nfunc (s *${pascal(a, 'store')}) ${pascal(a, `op${m}`)}(v int) int {\n${body('\t', int(2, 8), '//')}\n\treturn v + ${m}\n}`).join('\n\n');
    return `// Package p${i} keeps ${a}s.\npackage p${i}\n\nimport "fmt"\n\n// ${pascal(a, 'store')} stores ${a}s.\ntype ${pascal(a, 'store')} struct {\n\tName string \`yaml:"name"\`\n\tCount int\n}\n\n${funcs}\n\nfunc helper${i}() { fmt.Println("${a}") }\n`;
  };
  const java = (i: number) => {
    const a = pick(WORDS);
    const methods = Array.from({ length: int(2, 7) }, (_, m) => `    /** Operation ${m}. */\n    @GetMapping("/${a}s/${m}")\n    public int op${m}(int v) {\n${body('        ', int(2, 8), '//')}\n        return v + ${m};\n    }`).join('\n\n');
    return `package org.example.p${i % 50};\n\nimport org.springframework.web.bind.annotation.GetMapping;\nimport org.springframework.web.bind.annotation.RestController;\n\n/**\n * ${pascal(a, 'controller')} number ${i}.\n */\n@RestController\npublic class ${pascal(a, 'controller')}${i} {\n${methods}\n}\n`;
  };
  const rust = (i: number) => {
    const a = pick(WORDS);
    const fns = Array.from({ length: int(2, 6) }, (_, m) => `    /// Operation ${m}.\n    pub fn op_${m}(&self, v: u32) -> u32 {\n${body('        ', int(2, 6), '//')}\n        v + ${m}\n    }`).join('\n\n');
    return `//! ${a} module ${i}.\n\n/// A ${a}.\n#[derive(Debug, Clone)]\npub struct ${pascal(a, 'item')}${i} { pub id: u32 }\n\nimpl ${pascal(a, 'item')}${i} {\n${fns}\n}\n\npub fn make_${i}() -> u32 { 1 }\n`;
  };
  const ruby = (i: number) => {
    const a = pick(WORDS);
    const methods = Array.from({ length: int(2, 6) }, (_, m) => `  # Operation ${m}.\n  def ${a}_op_${m}(value)\n${body('    ', int(1, 5), '#')}\n    value + ${m}\n  end`).join('\n\n');
    return `# ${a} model ${i}.\nclass ${pascal(a, 'record')}${i} < ApplicationRecord\n${methods}\nend\n`;
  };
  const md = (i: number) => `# Notes ${i}\n\n${body('', int(5, 30), '-')}\n`;
  const json = (i: number) => JSON.stringify({ name: `cfg-${i}`, values: Array.from({ length: int(3, 20) }, (_, k) => ({ k, w: pick(WORDS) })) }, null, 2);
  return { ts, py, go, java, rust, ruby, md, json, pick, rand };
}

/** Writes `count` files (plus skipped trees) under `root`; returns the bytes written to indexed files. */
async function generateTree(root: string, count: number): Promise<{ files: number; bytes: number }> {
  const g = generator(9);
  const kinds: [number, (i: number) => string, string, string][] = [
    [0.4, g.ts, 'services', 'ts'],
    [0.2, g.py, 'py', 'py'],
    [0.12, g.go, 'go', 'go'],
    [0.1, g.java, 'java', 'java'],
    [0.05, g.rust, 'rust', 'rs'],
    [0.05, g.ruby, 'ruby', 'rb'],
    [0.05, g.md, 'docs', 'md'],
    [0.03, g.json, 'config', 'json'],
  ];
  let bytes = 0;
  const writes: Promise<void>[] = [];
  const flush = async () => {
    await Promise.all(writes.splice(0));
  };
  const dirsMade = new Set<string>();
  const put = async (rel: string, text: string) => {
    const dir = path.dirname(path.join(root, rel));
    if (!dirsMade.has(dir)) {
      await mkdir(dir, { recursive: true });
      dirsMade.add(dir);
    }
    writes.push(writeFile(path.join(root, rel), text));
    if (writes.length >= 64) await flush();
  };
  await put('package.json', JSON.stringify({ name: 'bench-tree', devDependencies: { vitest: '4' }, dependencies: { fastify: '5' } }));
  await put('.gitignore', 'tmp/\n');
  let written = 0;
  for (let i = 0; written < count - 2; i++) {
    const roll = g.rand();
    let acc = 0;
    const kind = kinds.find(([share]) => (acc += share) >= roll) ?? kinds[0]!;
    const [, make, area, ext] = kind;
    const dir = `${area}/module${Math.floor(i / 40)}`;
    const name = ext === 'py' || ext === 'rs' || ext === 'rb' ? `${g.pick(WORDS)}_${i}` : `${g.pick(WORDS)}${i}`;
    const test = i % 9 === 0 && (ext === 'ts' || ext === 'py' || ext === 'go');
    const file = ext === 'java' ? `${dir}/Controller${i}.java` : test ? `${dir}/${ext === 'py' ? `test_${name}` : ext === 'go' ? `${name}_test` : `${name}.test`}.${ext}` : `${dir}/${name}.${ext}`;
    const text = make(i);
    bytes += Buffer.byteLength(text);
    await put(file, text);
    written++;
  }
  // Never indexed or never parsed: dependencies, ignored, vendored, generated.
  for (let i = 0; i < 200; i++) await put(`node_modules/dep${i % 20}/index${i}.js`, 'module.exports = {};\n');
  for (let i = 0; i < 100; i++) await put(`tmp/scratch${i}.ts`, 'export {};\n');
  for (let i = 0; i < 100; i++) await put(`vendor/lib${i % 10}/dep${i}.go`, 'package dep\n\nfunc Dep() {}\n');
  await flush();
  return { files: written + 2, bytes };
}

// ---------------------------------------------------------------- one measured index build (child process)

async function childMain(dir: string, workers: string): Promise<void> {
  let peakHeap = 0;
  const sample = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 20);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const index = await buildCodeIndex(dir, { commit: null, ...(workers === 'auto' ? {} : { workers: Number(workers) }) });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const s0 = performance.now();
  index.search('refund payment for an order');
  const searchBuildMs = performance.now() - s0;
  const q0 = performance.now();
  index.search('customer review email');
  const searchQueryMs = performance.now() - q0;
  clearInterval(sample);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const result: ChildResult = {
    files: index.filesIndexed,
    symbols: index.files.reduce((n, f) => n + f.symbols.length, 0),
    routes: index.facts.routes.length,
    models: index.facts.models.length,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    peakHeapMiB: Math.round(peakHeap / 1024 / 1024),
    searchBuildMs: Math.round(searchBuildMs),
    searchQueryMs: Math.round(searchQueryMs * 10) / 10,
    cacheJsonMiB: Math.round((JSON.stringify(index.toJSON()).length / 1024 / 1024) * 10) / 10,
    workers,
    truncated: index.truncated,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

function runChild(dir: string, workers: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', dir, workers], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`index child exited ${code}: ${out}`));
      else resolve(JSON.parse(line.slice('RESULT '.length)) as ChildResult);
    });
  });
}

// ---------------------------------------------------------------- report

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const filesArg = process.argv.find((a) => a.startsWith('--files='));
  const count = filesArg ? Number(filesArg.slice('--files='.length)) : TARGET_FILES;
  const full = count === TARGET_FILES;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'codeindex-bench-'));
  const tree = path.join(tmp, 'tree');
  try {
    process.stdout.write(`codeindex bench: generating ${fmt(count)} files in ${tree}\n`);
    const generated = await generateTree(tree, count);
    const loadStart = load();
    process.stdout.write(`codeindex bench: indexing with the default workers (load ${loadStart})\n`);
    const auto = await runChild(tree, 'auto');
    const loadAfterAuto = load();
    process.stdout.write(`codeindex bench: indexing in one thread (load ${loadAfterAuto})\n`);
    const single = await runChild(tree, '0');
    const loadAfterSingle = load();
    process.stdout.write(`codeindex bench: indexing this repository (load ${loadAfterSingle})\n`);
    const repo = await runChild(ROOT, 'auto');
    const loadEnd = load();
    const conditions = {
      date: new Date().toISOString().slice(0, 10),
      commit: sh('git', ['rev-parse', '--short', 'HEAD']),
      cores: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      generated: { files: generated.files, sourceBytesMiB: Math.round((generated.bytes / 2 ** 20) * 10) / 10, skippedFiles: 400 },
      loadAverage: { start: loadStart, afterDefault: loadAfterAuto, afterSingle: loadAfterSingle, end: loadEnd },
    };
    const met = auto.wallMs <= TARGET_SECONDS * 1000 && auto.files >= count;
    const report = { conditions, target: { files: TARGET_FILES, seconds: TARGET_SECONDS, met }, generatedDefault: auto, generatedSingleThread: single, thisRepository: repo };
    const row = (name: string, r: ChildResult) =>
      `| ${name} | ${fmt(r.files)} | ${r.workers} | ${(r.wallMs / 1000).toFixed(2)} s | ${fmt((r.files / r.wallMs) * 1000)} | ${(r.cpuMs / 1000).toFixed(2)} s | ${r.maxRssMiB} MiB | ${r.peakHeapMiB} MiB | ${fmt(r.symbols)} | ${r.routes} | ${r.searchBuildMs} ms / ${r.searchQueryMs} ms | ${r.cacheJsonMiB} MiB |`;
    const md = [
      `# Code index benchmark — ${conditions.date}`,
      '',
      `Target: ${fmt(TARGET_FILES)} files indexed in under ${TARGET_SECONDS} s on this machine: **${met ? 'met' : 'not met'}** (${(auto.wallMs / 1000).toFixed(2)} s with the default workers, load average ${loadStart.split(' ')[0]!} on ${conditions.cores} cores at the start).`,
      '',
      `The index itself used ${(auto.cpuMs / 1000).toFixed(2)} s of CPU over its ${conditions.cores} threads (this one + ${conditions.cores - 1} worker): on ${conditions.cores} otherwise idle cores that is about ${(auto.cpuMs / 1000 / conditions.cores).toFixed(1)} s of wall time plus start-up (an estimate from CPU time, not a measurement; the one-thread run used ${(single.cpuMs / 1000).toFixed(2)} s).`,
      '',
      '| run | files | workers | wall | files/s | CPU (all threads) | peak RSS | peak heap (main) | symbols | routes | search build / query | cache JSON |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      row(`generated tree (${fmt(generated.files)} files, ${conditions.generated.sourceBytesMiB} MiB)`, auto),
      row('generated tree, one thread', single),
      row('this repository', repo),
      '',
      '## Conditions',
      '',
      `- commit ${conditions.commit}, Node ${conditions.node}, ${conditions.cores} cores (${conditions.cpuModel}), ${conditions.memoryGiB} GiB`,
      `- load average (1/5/15 min) at start ${loadStart}; after the default run ${loadAfterAuto}; after the one-thread run ${loadAfterSingle}; at the end ${loadEnd}. The machine is shared: a load far above ${conditions.cores} means the wall times are contention-bound; the CPU column is what the index itself used.`,
      `- the generated tree: 40% TypeScript, 20% Python, 12% Go, 10% Java, 5% Rust, 5% Ruby, 8% Markdown/JSON; every ninth TS/Python/Go file a test; 20–200 lines each; plus ${conditions.generated.skippedFiles} files the index must not parse (node_modules, a .gitignore'd tmp/, vendor/).`,
      '- each run is a fresh child process (`node --import tsx`), so peak RSS (`process.resourceUsage().maxRSS`, main thread + parse workers) is the index build alone; peak heap is the main thread, sampled every 20 ms.',
      '- "search build" is the first `search()` (it builds the BM25 index lazily), "query" a second one.',
      '',
    ].join('\n');
    const outDir = full ? path.join(ROOT, 'bench/results') : path.join(tmp, 'report');
    await mkdir(outDir, { recursive: true });
    await writeFile(path.join(outDir, `codeindex-${conditions.date}.md`), md);
    await writeFile(path.join(outDir, 'codeindex-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${md}\nreport: ${outDir}\n`);
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
}

const generateArg = process.argv.find((a) => a.startsWith('--generate='));
if (generateArg) {
  const filesArg = process.argv.find((a) => a.startsWith('--files='));
  generateTree(generateArg.slice('--generate='.length), filesArg ? Number(filesArg.slice('--files='.length)) : TARGET_FILES)
    .then((g) => process.stdout.write(`generated ${fmt(g.files)} files, ${fmt(g.bytes)} bytes of source\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    });
} else if (process.argv[2] === '--child') {
  childMain(process.argv[3]!, process.argv[4] ?? 'auto').catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`codeindex bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
