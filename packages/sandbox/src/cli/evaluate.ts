/** `evaluate --phase <p> <output.json> [--context <phase_data.json>]`: scores a phase output. */
import { parsePhase } from '@specline/protocol';
import type { PhaseData } from '@specline/protocol';
import { evaluate } from '../evaluators/index';
import { formatScore } from '../reporters/consoleFormat';
import { shouldColor } from '../reporters/consoleReporter';
import type { Flags } from './config';
import { readContextFiles, readPhaseOutput } from './inputs';
import { EXIT, UsageError, writeLine } from './io';
import type { CliIO, ExitCode } from './io';

export async function evaluateCommand(flags: Flags, positionals: string[], io: CliIO): Promise<ExitCode> {
  const phaseName = typeof flags['phase'] === 'string' ? flags['phase'] : undefined;
  const usage = 'specline-sandbox evaluate --phase <phase> <output.json> [--context <phase_data.json>] [--threshold 0.7] [--json]';
  if (!phaseName) throw new UsageError(`evaluate needs --phase: ${usage}`);
  const phase = parsePhase(phaseName);
  if (!phase) throw new UsageError(`--phase="${phaseName}": not a phase`);
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0) throw new UsageError(`evaluate takes one output file: ${usage}`);
  let threshold: number | undefined;
  if (typeof flags['threshold'] === 'string') {
    threshold = Number(flags['threshold']);
    if (!(threshold >= 0 && threshold <= 1) || flags['threshold'].trim() === '') throw new UsageError(`--threshold="${flags['threshold']}": expected a number from 0 to 1`);
  }
  const contexts = Array.isArray(flags['context']) ? flags['context'] : typeof flags['context'] === 'string' ? [flags['context']] : [];
  const context: PhaseData = await readContextFiles(contexts, io.cwd);
  const output = await readPhaseOutput(file, phase, io.cwd);
  const result = evaluate(phase, output, context, threshold === undefined ? {} : { threshold });

  if (flags['json'] === true) {
    writeLine(io.stdout, JSON.stringify({ phase, ...result }, null, 2));
    return result.passed ? EXIT.ok : EXIT.failed;
  }
  const color = shouldColor(io.stdout, { env: io.env });
  writeLine(io.stdout, `${phase}: score ${formatScore(result.score, color)} (pass mark ${result.threshold.toFixed(2)}) ${result.passed ? 'PASSED' : 'FAILED'}`);
  const details = Object.entries(result.details);
  if (details.length > 0) {
    writeLine(io.stdout, 'criteria:');
    for (const [name, score] of details) writeLine(io.stdout, `  ${name.padEnd(28)} ${score.toFixed(2)}`);
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
