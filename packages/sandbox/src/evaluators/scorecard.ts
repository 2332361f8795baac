/**
 * Scorecard: collects weighted criteria and problems, then turns them into an {@link EvalResult}.
 * Problems of severity `error` are hard: any one of them fails the phase whatever the weighted score.
 */
import type { z } from 'zod';
import type { EvalProblem, EvalResult } from '../types';
import { asRecord, idOf } from '../analysis/shape';

export const DEFAULT_THRESHOLD = 0.7;

/** Clamps to [0, 1]; NaN becomes 0. Floating-point sums a hair above 1 come back as exactly 1. */
export function clamp01(value: number): number {
  if (!Number.isFinite(value)) return value === Number.POSITIVE_INFINITY ? 1 : 0;
  return Math.min(1, Math.max(0, value));
}

export class Scorecard {
  readonly problems: EvalProblem[] = [];
  private readonly criteria: { name: string; weight: number; score: number }[] = [];
  private readonly skipped: string[] = [];

  error(path: string, message: string): void {
    this.problems.push({ path, message, severity: 'error' });
  }

  warn(path: string, message: string): void {
    this.problems.push({ path, message, severity: 'warning' });
  }

  /** A criterion scored as the share of `total` items that passed it (1 when there is nothing to check). */
  ratio(name: string, weight: number, passed: number, total: number): void {
    this.score(name, weight, total <= 0 ? 1 : passed / total);
  }

  score(name: string, weight: number, score: number): void {
    this.criteria.push({ name, weight, score: clamp01(score) });
  }

  /**
   * A criterion that could not be judged (the repository or the request was not given): it carries
   * no weight and shows in `details` as `<name>_skipped: 1`.
   */
  skip(name: string): void {
    if (!this.skipped.includes(name)) this.skipped.push(name);
  }

  get hardErrors(): number {
    return this.problems.filter((p) => p.severity === 'error').length;
  }

  result(threshold = DEFAULT_THRESHOLD): EvalResult {
    const t = clamp01(threshold);
    const totalWeight = this.criteria.reduce((sum, c) => sum + Math.max(0, c.weight), 0);
    let score = totalWeight === 0 ? 0 : this.criteria.reduce((sum, c) => sum + Math.max(0, c.weight) * c.score, 0) / totalWeight;
    score = clamp01(score);
    // A hard error fails the phase: the score is held below the threshold, not merely dented.
    if (this.hardErrors > 0) score = Math.min(score, Math.max(0, t - 0.1));
    score = Math.round(score * 10_000) / 10_000;
    const details: Record<string, number> = {};
    for (const c of this.criteria) details[c.name] = Math.round(c.score * 10_000) / 10_000;
    for (const name of this.skipped) details[`${name}_skipped`] = 1;
    const passed = this.hardErrors === 0 && score >= t;
    return { score, passed, threshold: t, details, problems: [...this.problems], feedback: formatFeedback(this.problems) };
  }
}

/** One line per problem: `[error] tasks[TSK-004].depends_on: TSK-009 does not exist`. Errors first. */
export function formatFeedback(problems: readonly EvalProblem[]): string {
  const ordered = [...problems.filter((p) => p.severity === 'error'), ...problems.filter((p) => p.severity === 'warning')];
  return ordered.map((p) => `[${p.severity}] ${p.path}: ${p.message}`).join('\n');
}

/**
 * A readable path for a zod issue: list indices become the item's id when it has one
 * (`['tasks', 3, 'estimated_hours']` → `tasks[TSK-004].estimated_hours`).
 */
export function issuePath(root: unknown, path: readonly PropertyKey[]): string {
  let out = '';
  let node: unknown = root;
  for (const key of path) {
    const step = typeof key === 'symbol' ? key.toString() : key;
    if (typeof step === 'number') {
      const item = Array.isArray(node) ? (node[step] as unknown) : undefined;
      out += `[${idOf(asRecord(item)?.['id']) ?? step}]`;
      node = item;
    } else {
      out += out === '' ? step : `.${step}`;
      node = asRecord(node)?.[step];
    }
  }
  return out === '' ? '(output)' : out;
}

/**
 * Checks `output` against a protocol schema and records each issue. Returns whether it parsed.
 * `skip` lets an evaluator accept a documented alternative shape for a field.
 */
export function checkSchema(card: Scorecard, schema: z.ZodType, output: unknown, skip: (path: readonly PropertyKey[]) => boolean = () => false): boolean {
  const parsed = schema.safeParse(output);
  if (parsed.success) {
    card.score('schema', 1, 1);
    return true;
  }
  const issues = parsed.error.issues.filter((issue) => !skip(issue.path));
  for (const issue of issues.slice(0, 30)) card.error(issuePath(output, issue.path), issue.message);
  if (issues.length > 30) card.error('(output)', `${issues.length - 30} more schema problems`);
  card.score('schema', 1, issues.length === 0 ? 1 : 0);
  return issues.length === 0;
}

/** Records the output-level problems every evaluator shares: not an object, or a parse failure. Returns the object or undefined. */
export function requireObject(card: Scorecard, output: unknown): Record<string, unknown> | undefined {
  const record = asRecord(output);
  if (!record) {
    card.error('(output)', `expected a JSON object, got ${output === null ? 'null' : Array.isArray(output) ? 'an array' : typeof output}`);
    return undefined;
  }
  if (typeof record['parse_error'] === 'string') {
    card.error('(output)', `the executor could not parse its output: ${record['parse_error']}`);
    return undefined;
  }
  return record;
}

/** Non-empty trimmed text, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
