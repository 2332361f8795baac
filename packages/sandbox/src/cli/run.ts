/** `run` and `run-phase`: a spec run with the chosen executor (planner, anthropic, openai), reported where the settings say. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Phase, PhaseData } from '@specline/protocol';
import { systemClock } from '../clock';
import { withPacing } from '../executors/paced';
import { createProviderExecutor } from '../executors/model/index';
import { createPlannerExecutor } from '../executors/planner';
import { loadCodeIndex } from '../codeindex/index';
import type { CodeIndex } from '../codeindex/types';
import { Emitter } from '../machine/emitter';
import { runSpec } from '../runSpec';
import type { RunResult } from '../runSpec';
import type { Logger, PhaseExecutor } from '../types';
import { parseReportingConfig, parseRunConfig, runPhases } from './config';
import type { Flags, ReporterMode, RunConfig } from './config';
import { readContextFiles } from './inputs';
import { EXIT, UsageError, stderrLogger, writeLine } from './io';
import type { CliIO, ExitCode } from './io';
import { buildReporters } from './reporters';
import type { CliReporters } from './reporters';

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(resolve(path, '..'), { recursive: true });
  const temp = `${path}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temp, path);
}

/** Tells the reporters that a run which could not start has ended (so a server learns it). */
async function reportConfigFailure(built: CliReporters, specId: string, errors: string[], logger: Logger): Promise<void> {
  const emitter = new Emitter(specId, built.reporter, systemClock, logger);
  const error = `bad configuration: ${errors.join('; ')}`;
  await emitter.emit('spec.execution_failed', null, { failed_phase: null, error });
  await emitter.emit('agent.completed', null, { spec_id: specId, success: false, phase_data: {}, phases_completed: [], failed_phase: null, error });
  emitter.seal();
  await emitter.drain();
}

/** The executor the settings choose. Model executors get the limits; the key stays behind `apiKey()`. */
function buildExecutor(config: RunConfig, logger: Logger): PhaseExecutor {
  const settings = config.modelSettings;
  if (!settings) return withPacing(createPlannerExecutor(), { stepDelayMs: config.stepDelayMs, clock: systemClock });
  const executor = createProviderExecutor({
    provider: settings.provider,
    model: settings.model,
    apiKey: settings.apiKey(),
    ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
    structuredOutput: config.structuredOutput,
    stream: config.stream,
    maxReadBytes: config.maxReadBytes,
    limits: {
      maxTurns: config.maxTurns,
      maxSeconds: config.maxSeconds,
      maxCostUsd: config.maxCostUsd,
      maxOutputTokens: config.maxOutputTokens,
      maxRequestRetries: config.maxRequestRetries,
    },
    ...(settings.prices ? { prices: settings.prices } : {}),
    ...(config.repoCommit ? { explore: { repoCommit: config.repoCommit } } : {}),
    clock: systemClock,
    logger,
  });
  return config.stepDelayMs > 0 ? withPacing(executor, { stepDelayMs: config.stepDelayMs, clock: systemClock }) : executor;
}

/**
 * The code index of the working directory, handed to the executors (the `search` tool, the planner)
 * and to the evaluators' grounding checks. Cached by commit under `cacheDir`. A failure to build it
 * is a warning: the run goes on without an index (the tools fall back to a plain text search).
 */
async function buildCodeIndex(cwd: string, options: { commit: string | undefined; cacheDir: string; signal: AbortSignal }, logger: Logger): Promise<CodeIndex | undefined> {
  try {
    return await loadCodeIndex(cwd, {
      ...(options.commit !== undefined ? { commit: options.commit } : {}),
      cacheDir: options.cacheDir,
      signal: options.signal,
      progress: (message) => logger.info(message),
    });
  } catch (error) {
    if (!options.signal.aborted) logger.warn('could not build the code index; the run goes on without it', { error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

async function closeReporters(built: CliReporters, io: CliIO): Promise<void> {
  await built.reporter.close();
  const stats = built.http?.stats();
  if (stats && stats.spooled > 0) {
    writeLine(io.stderr, `specline-sandbox: the server could not be reached; ${stats.spooled} event(s) wait in ${stats.spoolPath} (replayed by the next run with the same output directory)`);
  }
  if (stats && stats.deadLettered > 0) {
    writeLine(io.stderr, `specline-sandbox: the server refused ${stats.deadLettered} event(s); they are kept in ${stats.deadLetterPath}`);
  }
}

/** Events the server did not take: refused (dead letter) or never delivered (still in the spool). */
function notAccepted(built: CliReporters): number {
  const stats = built.http?.stats();
  return stats ? stats.deadLettered + stats.spooled : 0;
}

function printResult(io: CliIO, result: RunResult, built: CliReporters, extra: string[]): boolean {
  // A run whose events the server did not all take did not succeed as far as the server knows: say so.
  const lost = notAccepted(built);
  const ok = result.success && lost === 0;
  const lines = [
    !result.success
      ? `Run FAILED${result.failedPhase ? ` in ${result.failedPhase}` : ''}: ${result.error ?? 'unknown error'}`
      : ok
        ? `Run succeeded: ${result.phasesCompleted.join(', ')} (${result.events} events)`
        : `Run ended with ${lost} event(s) not accepted by the server (of ${result.events}); the phases ran (${result.phasesCompleted.join(', ')}) but the server's record of the run is incomplete`,
  ];
  if (built.eventsPath) lines.push(`  events:       ${built.eventsPath}`);
  for (const [type, path] of Object.entries(result.markdownArtifacts)) lines.push(`  ${`${type}:`.padEnd(13)} ${path}`);
  lines.push(...extra);
  for (const line of lines) writeLine(ok ? io.stdout : io.stderr, line);
  return ok;
}

export async function runCommand(command: 'run' | 'run-phase', flags: Flags, io: CliIO, signal: AbortSignal): Promise<ExitCode> {
  const verbose = flags['verbose'] === true;
  const logger = stderrLogger(io, verbose);
  const tty = io.stdout.isTTY === true;
  const reporting = parseReportingConfig(flags, io.env, { reporters: ['jsonl'] });
  if (!reporting.ok) {
    for (const error of reporting.errors) writeLine(io.stderr, `specline-sandbox ${command}: ${error}`);
    return EXIT.usage;
  }
  // Live progress on a terminal, whatever else is on.
  const modes: ReporterMode[] = [...reporting.config.reporters];
  if (tty && flags['quiet'] !== true && !modes.includes('console')) modes.push('console');
  const built = buildReporters({ ...reporting.config, reporters: modes }, io, logger, { verbose });
  const specId = reporting.config.specId;

  const fail = async (errors: string[]): Promise<ExitCode> => {
    await reportConfigFailure(built, specId, errors, logger);
    await closeReporters(built, io);
    for (const error of errors) writeLine(io.stderr, `specline-sandbox ${command}: ${error}`);
    return EXIT.usage;
  };

  const parsed = parseRunConfig(flags, io.env, { cwd: io.cwd });
  if (!parsed.ok) return fail(parsed.errors);
  const config: RunConfig = parsed.config;
  const onlyPhase: Phase | undefined = config.phase;
  if (command === 'run-phase' && onlyPhase === undefined) return fail(['--phase (or SPEC_PHASE): run-phase needs the one phase to run']);

  let initialPhaseData: PhaseData;
  try {
    initialPhaseData = await readContextFiles(config.contextFiles, io.cwd, flags['context'] !== undefined ? '--context' : 'CONTEXT_FILE');
  } catch (error) {
    if (error instanceof UsageError) return fail([error.message]);
    throw error;
  }

  const cwd = resolve(io.cwd, config.cwd);
  const hasCodebase = !config.noRepo;
  let executor: PhaseExecutor;
  try {
    executor = buildExecutor(config, logger);
  } catch (error) {
    return fail([error instanceof Error ? error.message : String(error)]);
  }
  const index = hasCodebase ? await buildCodeIndex(cwd, { commit: config.repoCommit, cacheDir: join(built.outputDir, 'index-cache'), signal }, logger) : undefined;
  // A model run lasts as long as its limits allow: the attempt timeout leaves room for the last turn.
  const attemptTimeoutMs = config.modelSettings ? Math.max(15 * 60_000, (config.maxSeconds + 180) * 1000) : undefined;

  const result = await runSpec({
    spec: { id: specId, title: config.title, description: config.description },
    cwd,
    hasCodebase,
    ...(index ? { index } : {}),
    outputDir: built.outputDir,
    executor,
    reporter: built.reporter,
    sink: built.sink,
    logger,
    phases: runPhases(config),
    ...(onlyPhase ? { onlyPhase } : {}),
    initialPhaseData,
    ...(config.maxAttempts !== undefined ? { maxAttempts: config.maxAttempts } : {}),
    ...(config.threshold !== undefined ? { threshold: config.threshold } : {}),
    ...(config.heartbeatSeconds !== undefined ? { heartbeatIntervalMs: config.heartbeatSeconds * 1000 } : {}),
    ...(attemptTimeoutMs !== undefined ? { attemptTimeoutMs } : {}),
    approvalMode: config.approvalMode,
    ...(config.reviewComment !== undefined ? { reviewFeedback: config.reviewComment } : {}),
    signal,
  });

  const extra: string[] = [];
  try {
    const phaseDataPath = join(built.outputDir, 'phase_data.json');
    await writeJson(phaseDataPath, result.phaseData);
    extra.push(`  phase data:   ${phaseDataPath}`);
    const output = onlyPhase ? result.phaseData[onlyPhase] : undefined;
    if (command === 'run-phase' && onlyPhase && output && result.success) {
      const outputPath = join(built.outputDir, `${onlyPhase}_output.json`);
      // Keyed by phase, so it can be given back as --context to the next phase.
      await writeJson(outputPath, { [onlyPhase]: output });
      extra.push(`  output:       ${outputPath} (keyed by phase: pass it as --context to the next phase)`);
    }
  } catch (error) {
    logger.error('could not write the phase data files', { error: String(error) });
  }
  await closeReporters(built, io);
  const accepted = printResult(io, result, built, extra);
  if (result.success) return accepted ? EXIT.ok : EXIT.failed;
  return result.failureReason === 'configuration' ? EXIT.usage : EXIT.failed;
}
