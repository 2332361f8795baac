// Joins the newest report of each benchmark (bench/results/<name>-<YYYY-MM-DD>.md) into one file,
// bench/results/REPORT.md, with a table of contents: the one report `npm run bench` leaves behind.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = 'bench/results';
const order = ['server', 'ingest', 'streams', 'history', 'workers', 'timeline', 'codeindex'];
const newest = new Map();
for (const file of readdirSync(dir)) {
  const match = /^([a-z]+)-(\d{4}-\d{2}-\d{2})\.md$/.exec(file);
  if (!match) continue;
  const [, name, date] = match;
  if (!newest.has(name) || newest.get(name).date < date) newest.set(name, { file, date });
}
const names = [...newest.keys()].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
const parts = [
  '# Benchmark report',
  '',
  `Joined by scripts/bench-report.mjs on ${new Date().toISOString()} from the newest report of each benchmark.`,
  '',
  '| benchmark | report | date |',
  '|---|---|---|',
  ...names.map((n) => `| ${n} | [${newest.get(n).file}](${newest.get(n).file}) | ${newest.get(n).date} |`),
  '',
];
// Hand-written notes (where the time goes, repeats, what is left) and extra reports of a benchmark
// (e.g. streams-servers2-<date>.md) are linked, not joined.
const extras = readdirSync(dir)
  .filter((file) => file.endsWith('.md') && file !== 'REPORT.md' && ![...newest.values()].some((n) => n.file === file))
  .sort();
if (extras.length) parts.push('Notes and further reports: ' + extras.map((file) => `[${file}](${file})`).join(' · '), '');
for (const name of names) {
  const text = readFileSync(path.join(dir, newest.get(name).file), 'utf8');
  // Each report's own headings move one level down under its section.
  parts.push(`## ${name} (${newest.get(name).date})`, '', text.replace(/^(#+) /gm, '$1## ').trim(), '');
}
writeFileSync(path.join(dir, 'REPORT.md'), parts.join('\n'));
console.log(`bench: wrote ${path.join(dir, 'REPORT.md')} (${names.join(', ')})`);
