/**
 * `evaluate --phase <p> <output.json> [--context <phase_data.json>] [--cwd DIR] [--title T] [--description D]`:
 * scores a phase output. `--cwd` turns on the grounding checks against that repository; the request
 * (for the relevance checks) comes from `--title`/`--description` or from an events file given as
 * the output or a context.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parsePhase } from '@specline/protocol';
import type { PhaseData } from '@specline/protocol';
import { evaluate } from '../evaluators/index';
import { loadCodeIndex } from '../codeindex/index';
import { formatScore } from '../reporters/consoleFormat';
import { shouldColor } from '../reporters/consoleReporter';
import type { EvaluateOptions, RepoView } from '../types';
import type { Flags } from './config';
import { readContextFiles, readPhaseOutput, readSpecFromEvents } from './inputs';
import { EXIT, UsageError, writeLine } from './io';
import type { CliIO, ExitCode } from './io';

const USAGE =
  'specline-sandbox evaluate --phase <phase> <output.json> [--context <phase_data.json>] [--cwd <repository>] [--title T] [--description D] [--threshold 0.7] [--json]';

/** Why a criterion was skipped, and how to turn it on. */
const SKIP_REASONS: Record<string, string> = {
  grounding: 'no repository: pass --cwd <repository>',
  relevance: 'no request: pass --title (and --description), or give an events file',
  test_runner: 'the test runner is unknown: pass --cwd or an EXPLORE context',
};

/** The code index of the repository at `dir` (a CodeIndex is a RepoView), for the grounding checks. */
async function loadRepoView(dir: string): Promise<RepoView> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`--cwd="${dir}": not a directory`);
  return loadCodeIndex(dir);
}

const flagText = (flags: Flags, name: string): string | undefined => (typeof flags[name] === 'string' ? flags[name] : undefined);

export async function evaluateCommand(flags: Flags, positionals: string[], io: CliIO): Promise<ExitCode> {
  const phaseName = flagText(flags, 'phase');
  if (!phaseName) throw new UsageError(`evaluate needs --phase: ${USAGE}`);
  const phase = parsePhase(phaseName);
  if (!phase) throw new UsageError(`--phase="${phaseName}": not a phase`);
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0) throw new UsageError(`evaluate takes one output file: ${USAGE}`);
  let threshold: number | undefined;
  const thresholdFlag = flagText(flags, 'threshold');
  if (thresholdFlag !== undefined) {
    threshold = Number(thresholdFlag);
    if (!(threshold >= 0 && threshold <= 1) || thresholdFlag.trim() === '') throw new UsageError(`--threshold="${thresholdFlag}": expected a number from 0 to 1`);
  }
  const contexts = Array.isArray(flags['context']) ? flags['context'] : typeof flags['context'] === 'string' ? [flags['context']] : [];
  const context: PhaseData = await readContextFiles(contexts, io.cwd);
  const output = await readPhaseOutput(file, phase, io.cwd);

  const options: EvaluateOptions = threshold === undefined ? {} : { threshold };
  const title = flagText(flags, 'title');
  const spec = title !== undefined ? { title, description: flagText(flags, 'description') ?? '' } : await readSpecFromEvents([file, ...contexts], io.cwd);
  if (spec) options.spec = spec;
  const cwd = flagText(flags, 'cwd');
  if (cwd !== undefined) options.repo = await loadRepoView(resolve(io.cwd, cwd));
  const result = evaluate(phase, output, context, options);

  if (flags['json'] === true) {
    writeLine(io.stdout, JSON.stringify({ phase, ...result }, null, 2));
    return result.passed ? EXIT.ok : EXIT.failed;
  }
  const color = shouldColor(io.stdout, { env: io.env });
  writeLine(io.stdout, `${phase}: score ${formatScore(result.score, color)} (pass mark ${result.threshold.toFixed(2)}) ${result.passed ? 'PASSED' : 'FAILED'}`);
  const details = Object.entries(result.details);
  if (details.length > 0) {
    writeLine(io.stdout, 'criteria:');
    for (const [name, score] of details) {
      if (name.endsWith('_skipped')) {
        const criterion = name.slice(0, -'_skipped'.length);
        writeLine(io.stdout, `  ${criterion.padEnd(28)} skipped (${SKIP_REASONS[criterion] ?? 'nothing to judge'})`);
      } else {
        writeLine(io.stdout, `  ${name.padEnd(28)} ${score.toFixed(2)}`);
      }
    }
  }
  if (result.problems.length > 0) {
    writeLine(io.stdout, `problems (${result.problems.length}):`);
    for (const problem of result.problems) writeLine(io.stdout, `  ${problem.severity.padEnd(7)} ${problem.path}: ${problem.message}`);
  } else {
    writeLine(io.stdout, 'problems: none');
  }
  if (contexts.length === 0 && phase !== 'explore' && phase !== 'requirements') {
    writeLine(io.stderr, `note: no --context given; checks of ${phase} against earlier phases had nothing to compare with`);
  }
  return result.passed ? EXIT.ok : EXIT.failed;
}
