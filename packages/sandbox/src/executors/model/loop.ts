/**
 * The bounded agent loop of one attempt: the model explores the repository through the tools, then
 * submits its structured answer, which is validated against the phase's schema (repair turns quote
 * the errors). Limits per attempt: turns, bytes read (the tools' budget), wall time and cost; when
 * one is reached the final answer is forced (tool_choice to the submit tool) before the attempt
 * fails. Transport failures are retried here with backoff through the injected clock, honouring
 * `retry-after`; a prompt that no longer fits the context has its older tool results shrunk once.
 */
import type { Phase, Usage } from '@specline/protocol';
import { renderPrompt } from '../../prompts/index';
import { FatalExecutorError, type Clock } from '../../types';
import { costOf, type ModelPrice } from './prices';
import { phaseJsonSchema, responseFormatName, submitToolName, validateAnswer, type Validation } from './schemas';
import { REPO_TOOLS, type RepoTools } from './tools';
import { ModelApiError, type ChatMessage, type ModelClient, type ModelRequest, type ModelTurn, type StructuredOutputMode, type ToolResult, type ToolSpec, type TurnUsage } from './types';

export interface LoopLimits {
  /** Model turns per attempt, the forced final answer included (repair turns come on top). */
  maxTurns: number;
  /** Repair turns after an invalid answer before the attempt fails. */
  maxRepairs: number;
  /** Wall time per attempt, seconds (the injected clock). */
  maxSeconds: number;
  /** Dollars per attempt. */
  maxCostUsd: number;
  maxOutputTokens: number;
  /** Retries of one request after 429/5xx/network errors. */
  maxRequestRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A `retry-after` longer than this fails the attempt instead of waiting. */
  maxRetryAfterMs: number;
}

export const DEFAULT_LOOP_LIMITS: LoopLimits = {
  maxTurns: 24,
  maxRepairs: 2,
  maxSeconds: 600,
  maxCostUsd: 2,
  maxOutputTokens: 16_384,
  maxRequestRetries: 4,
  backoffBaseMs: 1_000,
  backoffMaxMs: 30_000,
  maxRetryAfterMs: 120_000,
};

export interface LoopInput {
  client: ModelClient;
  model: string;
  phase: Phase;
  system: string;
  overview: string;
  /** The first user message. */
  prompt: string;
  structured: StructuredOutputMode;
  /** The repository tools; absent when the project has no code base. */
  tools?: RepoTools;
  stream: boolean;
  limits: LoopLimits;
  clock: Clock;
  /** Full jitter of the backoff (0..1); default Math.random. */
  random?: () => number;
  price: ModelPrice | null;
  progress: (message: string, extra?: Record<string, unknown>) => void;
  signal: AbortSignal;
}

export interface LoopResult {
  output: Record<string, unknown>;
  usage: Usage;
  turns: number;
}

/** The attempt failed (retryable by the run); carries what it spent so far. */
export class ModelAttemptError extends Error {
  override name = 'ModelAttemptError';
  constructor(
    message: string,
    readonly usage: Usage,
  ) {
    super(message);
  }
}

/** A rejected key or an unknown model: the phase fails with no retry; carries what it spent so far. */
export class FatalModelError extends FatalExecutorError {
  override name = 'FatalModelError';
  constructor(
    message: string,
    readonly usage: Usage,
  ) {
    super(message);
  }
}

const SHRUNK_NOTE = '\n[trimmed to fit the context window]';

/** Cuts older tool results to a stub (the newest keeps a larger part). Returns whether anything changed. */
export function shrinkToolResults(messages: ChatMessage[]): boolean {
  const indexes = messages.flatMap((m, i) => (m.role === 'tool_results' ? [i] : []));
  let changed = false;
  indexes.forEach((index, k) => {
    const message = messages[index] as Extract<ChatMessage, { role: 'tool_results' }>;
    const keep = k === indexes.length - 1 ? 2_000 : 300;
    const results = message.results.map((r) => {
      if (r.content.length <= keep + SHRUNK_NOTE.length) return r;
      changed = true;
      return { ...r, content: `${r.content.slice(0, keep)}${SHRUNK_NOTE}` };
    });
    messages[index] = { ...message, results };
  });
  return changed;
}

function fmtUsd(value: number): string {
  return `$${value < 0.01 ? value.toFixed(4) : value.toFixed(2)}`;
}

export async function runAgentLoop(input: LoopInput): Promise<LoopResult> {
  const { client, limits, clock, signal, phase } = input;
  const random = input.random ?? Math.random;
  const started = clock.now();
  const deadline = started + limits.maxSeconds * 1000;
  const submit = submitToolName(phase);
  const schema = phaseJsonSchema(phase);
  const schemaName = input.structured === 'tool' ? submit : responseFormatName(phase);
  const how = input.structured === 'tool' ? ` by calling ${submit}` : ' as one JSON object';

  const tools: ToolSpec[] = [...(input.tools ? REPO_TOOLS : [])];
  if (input.structured === 'tool') tools.push({ name: submit, description: `Submit the final ${phase.toUpperCase()} answer (the whole output, matching this schema). Call it once, when you are done.`, parameters: schema });

  const messages: ChatMessage[] = [{ role: 'user', text: input.prompt }];
  const totals: TurnUsage = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  let cost = 0;
  let lastTurnCost = 0;
  let turns = 0;
  let repairs = 0;
  let forced: string | null = null;
  let repairing = false;

  const usage = (): Usage => ({ ...totals, cost_usd: Math.round(cost * 1e8) / 1e8 });
  const fail = (message: string): never => {
    throw new ModelAttemptError(message, usage());
  };
  /** Adds text to the newest user-side message (a note after the tool results). */
  const note = (text: string) => {
    const last = messages[messages.length - 1];
    if (last?.role === 'tool_results') messages[messages.length - 1] = { ...last, text: last.text ? `${last.text}\n\n${text}` : text };
    else if (last?.role === 'user') messages[messages.length - 1] = { role: 'user', text: `${last.text}\n\n${text}` };
    else messages.push({ role: 'user', text });
  };

  let forcingAllowed = true;
  const request = async (choice: ModelRequest['toolChoice']): Promise<ModelTurn> => {
    let toolChoice = choice.type === 'tool' && !forcingAllowed ? ({ type: 'auto' } as const) : choice;
    let shrunk = false;
    for (let retry = 0; ; retry++) {
      signal.throwIfAborted();
      const remaining = Math.max(0, deadline - clock.now());
      try {
        return await client.turn({
          model: input.model,
          system: input.system,
          overview: input.overview,
          messages,
          tools,
          toolChoice,
          ...(input.structured === 'json_schema' ? { responseFormat: { name: schemaName, schema } } : {}),
          maxOutputTokens: limits.maxOutputTokens,
          stream: input.stream,
          signal,
          timeoutMs: Math.min(600_000, Math.max(30_000, remaining + 60_000)),
        });
      } catch (error) {
        signal.throwIfAborted();
        if (!(error instanceof ModelApiError)) throw new ModelAttemptError(error instanceof Error ? error.message : String(error), usage());
        switch (error.kind) {
          case 'auth':
          case 'not_found':
            throw new FatalModelError(error.message, usage());
          case 'bad_request':
            // Some models refuse a forced tool choice (Claude Sonnet 5.5 and Opus 5.5 answer 400): ask again with `auto`
            // (the prompt already says to submit), and do not force it again in this attempt.
            if (toolChoice.type === 'tool' && forcingAllowed) {
              forcingAllowed = false;
              toolChoice = { type: 'auto' };
              input.progress(`${input.model} refused a forced tool choice; asking for ${submit} without forcing it`);
              retry--;
              continue;
            }
            return fail(error.message);
          case 'context_length':
            if (shrunk || !shrinkToolResults(messages)) return fail(`${error.message}; shrinking the tool results did not help`);
            shrunk = true;
            input.progress(`The prompt is too long for ${input.model}: older tool results trimmed, retrying`);
            retry--;
            continue;
          case 'retryable': {
            if (retry >= limits.maxRequestRetries) return fail(`${error.message} (gave up after ${limits.maxRequestRetries} retries)`);
            const asked = error.retryAfterMs;
            if (asked !== null && asked > limits.maxRetryAfterMs) return fail(`${error.message}: the server asks to wait ${Math.ceil(asked / 1000)} s, longer than ${limits.maxRetryAfterMs / 1000} s`);
            const wait = asked ?? Math.round(Math.min(limits.backoffMaxMs, limits.backoffBaseMs * 2 ** retry) * (0.5 + random() / 2));
            input.progress(`${error.message}; retrying in ${(wait / 1000).toFixed(1)} s (retry ${retry + 1} of ${limits.maxRequestRetries})`);
            await clock.sleep(wait, signal);
            continue;
          }
        }
      }
    }
  };

  let turnsPastDeadline = 0;
  for (;;) {
    signal.throwIfAborted();
    const elapsed = clock.now() - started;
    if (elapsed >= limits.maxSeconds * 1000) {
      // One turn may start past the deadline: the forced final answer.
      if (turnsPastDeadline >= 1) fail(`the time limit of this attempt (MODEL_MAX_SECONDS = ${limits.maxSeconds}) was reached without a valid answer`);
      turnsPastDeadline++;
    }
    if (turns >= limits.maxTurns + limits.maxRepairs) fail(`no valid answer within ${turns} turns (MODEL_MAX_TURNS ${limits.maxTurns} + ${limits.maxRepairs} repair turns)`);
    if (!forced && !repairing) {
      if (turns >= limits.maxTurns - 1) forced = `This is your last turn (MODEL_MAX_TURNS is ${limits.maxTurns}).`;
      else if (elapsed >= limits.maxSeconds * 1000) forced = `The time limit of this attempt (MODEL_MAX_SECONDS = ${limits.maxSeconds}) is reached.`;
      else if (cost + lastTurnCost > limits.maxCostUsd) forced = `The cost limit of this attempt (MODEL_MAX_COST_USD = ${limits.maxCostUsd}) is about to be reached.`;
      else if (input.tools?.exhausted) forced = `The read budget of this attempt (MODEL_MAX_READ_BYTES) is used up.`;
      if (forced) {
        input.progress(`${forced} Asking for the final answer`);
        note(renderPrompt('final', { reason: forced, how }));
      }
    }
    const mustAnswer = forced !== null || repairing;
    const choice: ModelRequest['toolChoice'] = !mustAnswer ? { type: 'auto' } : input.structured === 'tool' ? { type: 'tool', name: submit } : input.tools ? { type: 'none' } : { type: 'auto' };
    const turn = await request(choice);
    turns++;
    for (const key of Object.keys(totals) as (keyof TurnUsage)[]) totals[key] += turn.usage[key];
    lastTurnCost = costOf(turn.usage, input.price);
    cost += lastTurnCost;
    messages.push({ role: 'assistant', text: turn.text, toolCalls: turn.toolCalls, ...(turn.raw !== undefined ? { raw: turn.raw } : {}) });

    // The answer, if this turn gave one.
    let answer: { validation: Validation; submitId?: string } | null = null;
    const submitCall = turn.toolCalls.find((c) => c.name === submit);
    if (submitCall) answer = { validation: validateAnswer(phase, submitCall.input ?? submitCall.rawArguments ?? ''), submitId: submitCall.id };
    else if (turn.toolCalls.length === 0 && (input.structured === 'json_schema' || /^\s*(```(json)?\s*)?\{/.test(turn.text))) answer = { validation: validateAnswer(phase, turn.text) };

    if (answer?.validation.ok) {
      const u = usage();
      input.progress(
        `Answer received after ${turns} turn(s): ${u.input_tokens} input, ${u.output_tokens} output, ${u.cache_read_input_tokens} cache-read, ${u.cache_creation_input_tokens} cache-write tokens, ${fmtUsd(cost)}`,
      );
      return { output: answer.validation.output, usage: u, turns };
    }
    if (cost > limits.maxCostUsd) fail(`the cost limit of this attempt (MODEL_MAX_COST_USD = ${limits.maxCostUsd}) was reached after ${turns} turn(s) (${fmtUsd(cost)} spent) without a valid answer`);

    if (answer && !answer.validation.ok) {
      const errors = answer.validation.errors;
      const truncatedNote = turn.stopReason === 'max_tokens' ? ` (the answer was cut at the output limit of ${limits.maxOutputTokens} tokens, --max-output-tokens: make it shorter)` : '';
      if (repairs >= limits.maxRepairs) fail(`the ${phase} answer is still invalid after ${repairs} repair turn(s)${truncatedNote}: ${errors.slice(0, 5).join('; ')}`);
      repairs++;
      repairing = true;
      input.progress(`The answer does not match the ${schemaName} schema (${errors.length} problem(s)${truncatedNote}): repair turn ${repairs} of ${limits.maxRepairs}`);
      const repairText = renderPrompt('repair', { schema_name: schemaName, errors: errors.map((e) => `- ${e}`).join('\n') + truncatedNote, how });
      if (turn.toolCalls.length > 0) {
        const results: ToolResult[] = turn.toolCalls.map((c) =>
          c.id === answer.submitId ? { id: c.id, name: c.name, content: repairText, isError: true } : { id: c.id, name: c.name, content: 'not run: the answer has to be fixed first', isError: true },
        );
        messages.push({ role: 'tool_results', results });
      } else {
        messages.push({ role: 'user', text: repairText });
      }
      continue;
    }

    if (turn.toolCalls.length > 0 && !mustAnswer) {
      const results: ToolResult[] = [];
      for (const call of turn.toolCalls) {
        signal.throwIfAborted();
        if (!input.tools) {
          results.push({ id: call.id, name: call.name, content: `there is no repository: ${call.name} is not available`, isError: true });
          continue;
        }
        const outcome = await input.tools.call(call.name, call.input ?? {}, signal);
        input.progress(outcome.message, { tool: call.name, args_summary: outcome.argsSummary });
        results.push({ id: call.id, name: call.name, content: outcome.content, ...(outcome.isError ? { isError: true } : {}) });
      }
      messages.push({ role: 'tool_results', results });
      continue;
    }

    // No answer and nothing to run: the model stopped talking, or called tools when it had to answer.
    if (mustAnswer && repairs >= limits.maxRepairs) {
      fail(`no ${phase} answer${forced ? ` after the final answer was asked for (${forced})` : ''}: the model ${turn.toolCalls.length > 0 ? 'kept calling tools' : 'answered without submitting'}`);
    }
    if (mustAnswer) repairs++;
    if (turn.toolCalls.length > 0) {
      messages.push({ role: 'tool_results', results: turn.toolCalls.map((c) => ({ id: c.id, name: c.name, content: 'not run: give the final answer now', isError: true })) });
    }
    forced ??= 'You ended your turn without giving the answer.';
    note(renderPrompt('final', { reason: turn.stopReason === 'max_tokens' ? `Your message was cut at the output limit (${limits.maxOutputTokens} tokens).` : 'You ended your turn without giving the answer.', how }));
    input.progress(`The model ended its turn without an answer: asking for the final answer`);
  }
}
