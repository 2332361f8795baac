import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpecEvent, phaseList, type PhaseData } from '@specline/protocol';
import { createManualClock, type ManualClock } from './clock';
import { cleanPhaseData, cleanRequirements, cleanTasks } from './evaluators/fixtures';
import { MemoryReporter, cleanOutputs, deferred, hang, scriptedExecutor, type Step } from './machine/testkit';
import { runSpec, type RunSpecOptions } from './runSpec';
import { LocalTicketSink } from './sinks/localSink';
import type { ExecutionResult } from './types';

const spec = { id: 'spec-1', title: 'Add rate limiting', description: 'Limit each API key to 100 requests per minute' };
let dir: string;
let clock: ManualClock;
let reporter: MemoryReporter;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'specline-run-'));
  clock = createManualClock(Date.UTC(2026, 0, 1));
  reporter = new MemoryReporter();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function start(script: Parameters<typeof scriptedExecutor>[0] = {}, extra: Partial<RunSpecOptions> = {}) {
  const executor = scriptedExecutor(script, () => clock.now());
  const sink = new LocalTicketSink();
  const run = runSpec({ spec, cwd: dir, outputDir: join(dir, 'out'), executor, reporter, sink, clock, ...extra });
  return { executor, sink, run };
}

/** Every event is a valid protocol envelope, seq runs 1..n, ids are unique, exactly one agent.completed, last. */
function expectWellFormed(events: SpecEvent[]) {
  for (const event of events) expect(() => SpecEvent.parse(event)).not.toThrow();
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
  expect(events.filter((e) => e.event_type === 'agent.completed')).toHaveLength(1);
  expect(events.at(-1)?.event_type).toBe('agent.completed');
  expect(events.every((e) => e.spec_id === spec.id)).toBe(true);
}

const data = (event: SpecEvent | undefined) => event?.data ?? {};

describe('runSpec: success', () => {
  it('emits the DESIGN §3 order, writes artifacts and creates tickets through the sink', async () => {
    const { run, executor } = start();
    const result = await clock.settle(run);
    expect(result.success).toBe(true);
    expectWellFormed(reporter.events);
    const phase = (artifact?: string) => [
      'spec.phase_started',
      'spec.progress',
      'spec.progress',
      'spec.phase_completed',
      ...(artifact ? ['spec.artifact_created', `spec.${artifact}_generated`] : []),
    ];
    expect(reporter.types()).toEqual([
      'spec.execution_started',
      ...phase(),
      ...phase('requirements'),
      ...phase('design'),
      ...phase('tasks'),
      'spec.phase_started',
      'spec.progress',
      'spec.sync_started',
      'spec.progress',
      'spec.tickets_creation_started',
      'spec.ticket_created',
      'spec.task_created',
      'spec.task_created',
      'spec.task_created',
      'spec.tickets_creation_completed',
      'spec.tasks_queued',
      'spec.sync_completed',
      'spec.phase_completed',
      'spec.execution_completed',
      'agent.completed',
    ]);
    expect(executor.calls.map((c) => c.phase)).toEqual(['explore', 'requirements', 'design', 'tasks']);

    expect(data(reporter.ofType('spec.execution_started')[0])).toEqual({ title: spec.title, description: spec.description, phases: ['explore', 'requirements', 'design', 'tasks', 'sync'] });
    expect(data(reporter.ofType('spec.phase_started')[1])).toEqual({ phase: 'requirements', attempt: 1 });
    const completed = reporter.ofType('spec.phase_completed');
    expect(completed.map((e) => e.phase)).toEqual(['explore', 'requirements', 'design', 'tasks', 'sync']);
    expect(data(completed[1])).toMatchObject({ phase: 'requirements', retry_count: 0, phase_output: cleanRequirements() });
    expect(data(completed[4])['phase_output']).toMatchObject({ coverage_percent: 100, ready_for_execution: true, cycles: [] });

    const ticket = data(reporter.ofType('spec.ticket_created')[0]);
    expect(ticket).toEqual({ ticket_id: 'local-ticket-1', title: 'Rate limiting', local_id: 'TKT-001' });
    expect(reporter.ofType('spec.task_created').map((e) => data(e)['task_id'])).toEqual(['local-task-1', 'local-task-2', 'local-task-3']);
    expect(data(reporter.ofType('spec.task_created')[0])['ticket_id']).toBe('local-ticket-1');
    expect(data(reporter.ofType('spec.tasks_queued')[0])).toEqual({ task_count: 3 });
    expect(data(reporter.ofType('spec.sync_started')[0])).toEqual({ items_to_sync: 4 });

    const done = data(reporter.ofType('spec.execution_completed')[0]);
    expect(done['ticket_creation']).toEqual({ tickets_created: 1, tasks_created: 3, errors: [] });
    expect(Object.keys(done['markdown_artifacts'] as object).sort()).toEqual(['design', 'requirements', 'tasks']);
    const tasksMd = await readFile(join(dir, 'out', 'tasks.md'), 'utf8');
    expect(tasksMd).toContain('TSK_001 --> TSK_002');
    const final = data(reporter.events.at(-1));
    expect(final).toMatchObject({ spec_id: spec.id, success: true, phases_completed: ['explore', 'requirements', 'design', 'tasks', 'sync'] });
    expect(Object.keys(final['phase_data'] as object)).toEqual(['explore', 'requirements', 'design', 'tasks', 'sync']);
    expect(reporter.flushes).toBe(1);
    expect(reporter.closed).toBe(false);
    expect(result.events).toBe(reporter.events.length);
    expect(clock.pending()).toBe(0);
  });

  it('runs the optional prd phase after explore when configured', async () => {
    const { run, executor } = start({}, { phases: phaseList({ prd: true }) });
    const result = await clock.settle(run);
    expect(result.success).toBe(true);
    expect(executor.calls.map((c) => c.phase)).toEqual(['explore', 'prd', 'requirements', 'design', 'tasks']);
  });
});

const out = (output: Record<string, unknown>, usage?: ExecutionResult['usage']): Step => () => Promise.resolve({ output, ...(usage ? { usage } : {}) });

describe('runSpec: retries and failures', () => {
  it('retries with the evaluator feedback and the previous output, after exponential backoff, summing usage', async () => {
    const bad = cleanRequirements();
    bad.requirements[1]!.text = 'Rejected requests get a header.';
    const { run, executor } = start({
      requirements: [out(bad, { input_tokens: 10, cost_usd: 0.5 }), out(bad, { input_tokens: 5, cost_usd: 0.25 }), out(cleanRequirements(), { input_tokens: 1, cost_usd: 0.25 })],
    });
    const result = await clock.settle(run);
    expect(result.success).toBe(true);
    expectWellFormed(reporter.events);
    const calls = executor.calls.filter((c) => c.phase === 'requirements');
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(calls[0]!.feedback).toBeNull();
    expect(calls[1]!.feedback).toMatchObject({ attempt: 1, previousOutput: bad });
    expect(calls[1]!.feedback!.text).toContain('requirements[REQ-002].text: missing EARS pattern');
    expect(calls[1]!.feedback!.problems).toContainEqual(expect.objectContaining({ path: 'requirements[REQ-002].text', severity: 'error' }));
    expect(calls[2]!.feedback).toMatchObject({ attempt: 2, previousOutput: bad });
    // Backoff: 2 s before the first retry, 4 s before the second.
    expect(calls[1]!.at - calls[0]!.at).toBe(2_000);
    expect(calls[2]!.at - calls[1]!.at).toBe(4_000);

    const retries = reporter.ofType('spec.phase_retry').map(data);
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({ phase: 'requirements', retry_count: 1, max_retries: 2, reason: 'evaluation_failed' });
    expect(retries[0]!['eval_feedback']).toContain('REQ-002');
    expect(retries[0]!['eval_score']).toBeLessThan(0.7);
    const types = reporter.types();
    const from = types.indexOf('spec.phase_started', types.indexOf('spec.phase_completed'));
    expect(types.slice(from, from + 10)).toEqual([
      'spec.phase_started',
      'spec.progress',
      'spec.progress',
      'spec.phase_retry',
      'spec.progress',
      'spec.progress',
      'spec.phase_retry',
      'spec.progress',
      'spec.progress',
      'spec.phase_completed',
    ]);
    const completed = data(reporter.ofType('spec.phase_completed')[1]);
    expect(completed).toMatchObject({ phase: 'requirements', retry_count: 2, usage: { input_tokens: 16, cost_usd: 1 } });
    expect(completed['duration_seconds']).toBe(6);
  });

  it('an executor that always fails ends phase_failed → execution_failed → agent.completed(false)', async () => {
    const { run, executor } = start({ explore: [new Error('model unavailable')] });
    const result = await clock.settle(run);
    expect(result).toMatchObject({ success: false, failedPhase: 'explore', failureReason: 'execution_error', error: 'model unavailable' });
    expect(executor.calls).toHaveLength(3);
    expectWellFormed(reporter.events);
    expect(reporter.types().slice(-3)).toEqual(['spec.phase_failed', 'spec.execution_failed', 'agent.completed']);
    expect(data(reporter.ofType('spec.phase_failed')[0])).toEqual({ phase: 'explore', reason: 'execution_error', retry_count: 2, error: 'model unavailable' });
    expect(data(reporter.ofType('spec.phase_retry')[0])).toMatchObject({ reason: 'execution_error', error: 'model unavailable' });
    expect(data(reporter.ofType('spec.execution_failed')[0])).toEqual({ failed_phase: 'explore', error: 'model unavailable' });
    expect(data(reporter.events.at(-1))).toMatchObject({ success: false, failed_phase: 'explore', error: 'model unavailable', phases_completed: [] });
    expect(reporter.ofType('spec.execution_completed')).toHaveLength(0);
  });

  it('fails the phase on evaluation after max attempts, naming the first problem', async () => {
    const cyclic = cleanTasks();
    cyclic.tasks[0]!.depends_on = ['TSK-003'];
    const { run } = start({ tasks: [out(cyclic)] }, { maxAttempts: 2 });
    const result = await clock.settle(run);
    expect(result.success).toBe(false);
    expect(result.error).toBe('tasks failed evaluation after 2 attempt(s): [error] tasks[TSK-001].depends_on: dependency cycle TSK-001 → TSK-003 → TSK-002 → TSK-001');
    const failed = data(reporter.ofType('spec.phase_failed')[0]);
    expect(failed).toMatchObject({ phase: 'tasks', reason: 'evaluation_failed', retry_count: 1 });
    expect(failed['eval_feedback']).toContain('dependency cycle');
    expectWellFormed(reporter.events);
  });
});

describe('runSpec: cancellation and timeouts', () => {
  it('a run cancelled mid-phase ends with reason cancelled', async () => {
    const controller = new AbortController();
    const { run } = start({ design: [hang(true)] }, { signal: controller.signal });
    await reporter.when((e) => e.event_type === 'spec.phase_started' && e.phase === 'design');
    controller.abort('user pressed stop');
    const result = await clock.settle(run);
    expect(result).toMatchObject({ success: false, failedPhase: 'design', failureReason: 'cancelled', error: 'cancelled: user pressed stop' });
    expectWellFormed(reporter.events);
    expect(reporter.types().slice(-3)).toEqual(['spec.phase_failed', 'spec.execution_failed', 'agent.completed']);
    expect(data(reporter.ofType('spec.phase_failed')[0])).toMatchObject({ phase: 'design', reason: 'cancelled', retry_count: 0 });
    expect(reporter.ofType('spec.phase_retry')).toHaveLength(0);
    expect(clock.pending()).toBe(0);
  });

  it('cancels an executor that ignores its signal, and during backoff', async () => {
    const controller = new AbortController();
    const { run, executor } = start({ explore: [new Error('flaky')] }, { signal: controller.signal });
    await reporter.when((e) => e.event_type === 'spec.phase_retry');
    controller.abort();
    const result = await clock.settle(run);
    expect(result.failureReason).toBe('cancelled');
    expect(executor.calls).toHaveLength(1);
    expect(data(reporter.ofType('spec.phase_failed')[0])).toMatchObject({ reason: 'cancelled', retry_count: 0 });
  });

  it('an attempt that exceeds its timeout is retried, then fails with reason timeout', async () => {
    const { run, executor } = start({ explore: [hang(false)] }, { attemptTimeoutMs: 60_000, maxAttempts: 2, backoffBaseMs: 1_000 });
    const result = await clock.settle(run);
    expect(result.failureReason).toBe('timeout');
    expect(executor.calls.map((c) => c.at - executor.calls[0]!.at)).toEqual([0, 61_000]);
    expect(data(reporter.ofType('spec.phase_retry')[0])).toMatchObject({ reason: 'timeout', error: 'attempt 1 of explore timed out after 60 s' });
    expect(data(reporter.ofType('spec.phase_failed')[0])).toMatchObject({ reason: 'timeout', retry_count: 1 });
    expectWellFormed(reporter.events);
  });

  it('the whole-run timeout stops the run without retrying', async () => {
    const { run } = start({ requirements: [hang(true)] }, { runTimeoutMs: 300_000 });
    const result = await clock.settle(run);
    expect(result).toMatchObject({ success: false, failedPhase: 'requirements', failureReason: 'timeout', error: 'the run timed out after 300 s' });
    expect(reporter.ofType('spec.phase_retry')).toHaveLength(0);
    expectWellFormed(reporter.events);
  });
});

describe('runSpec: heartbeat', () => {
  it('names the phase running now and lists the completed ones', async () => {
    const gate = deferred<ExecutionResult>();
    const { run } = start({ requirements: [() => gate.promise] }, { heartbeatIntervalMs: 30_000 });
    await reporter.when((e) => e.event_type === 'spec.phase_started' && e.phase === 'requirements');
    await clock.advance(30_000);
    const beat = reporter.ofType('spec.heartbeat').at(-1);
    expect(beat?.phase).toBe('requirements');
    expect(data(beat)).toEqual({ phases_completed: ['explore'], current_phase: 'requirements' });
    gate.resolve({ output: cleanRequirements() });
    const result = await clock.settle(run);
    expect(result.success).toBe(true);
    expectWellFormed(reporter.events);
    const after = reporter.events.findIndex((e) => e.event_type === 'agent.completed');
    expect(after).toBe(reporter.events.length - 1);
  });
});

describe('runSpec: single phase and configuration', () => {
  it('a single-phase failure still ends with agent.completed', async () => {
    const context: PhaseData = cleanPhaseData();
    delete context['tasks'];
    const bad = cleanTasks();
    bad.tasks[2]!.depends_on = ['TSK-009'];
    const { run, executor } = start({ tasks: [out(bad)] }, { onlyPhase: 'TASKS', initialPhaseData: context });
    const result = await clock.settle(run);
    expect(result.success).toBe(false);
    expect(executor.calls.every((c) => c.context.phaseData['design'] !== undefined)).toBe(true);
    expect(data(reporter.events[0])['phases']).toEqual(['tasks']);
    expect(reporter.types().slice(-3)).toEqual(['spec.phase_failed', 'spec.execution_failed', 'agent.completed']);
    expect(data(reporter.ofType('spec.phase_failed')[0])['eval_feedback']).toContain('tasks[TSK-003].depends_on: TSK-009 does not exist');
    expectWellFormed(reporter.events);
  });

  it('resumes SYNC from given context, and a second SYNC creates nothing new', async () => {
    const sink = new LocalTicketSink();
    const executor = scriptedExecutor({}, () => clock.now());
    const options = { spec, cwd: dir, outputDir: dir, executor, sink, clock, onlyPhase: 'sync', initialPhaseData: cleanPhaseData() };
    const first = await clock.settle(runSpec({ ...options, reporter }));
    expect(first.success).toBe(true);
    expect(executor.calls).toHaveLength(0);
    expect(reporter.ofType('spec.ticket_created')).toHaveLength(1);
    const again = new MemoryReporter();
    const second = await clock.settle(runSpec({ ...options, reporter: again }));
    expect(second.success).toBe(true);
    expect(again.ofType('spec.ticket_created')).toHaveLength(0);
    expect(data(again.ofType('spec.tickets_creation_completed')[0])).toMatchObject({ tickets_created: 0, tasks_created: 0, tickets_existing: 1, tasks_existing: 3 });
  });

  it('SYNC on a context that is not ready fails without retrying', async () => {
    const context = cleanPhaseData();
    (context['tasks'] as { tasks: { requirements: string[] }[] }).tasks[2]!.requirements = ['REQ-001'];
    const { run } = start({}, { onlyPhase: 'sync', initialPhaseData: context });
    const result = await clock.settle(run);
    expect(result).toMatchObject({ success: false, failedPhase: 'sync', failureReason: 'evaluation_failed' });
    expect(reporter.ofType('spec.phase_retry')).toHaveLength(0);
    expect(reporter.ofType('spec.tickets_creation_started')).toHaveLength(0);
    expect(data(reporter.ofType('spec.phase_failed')[0])['eval_feedback']).toContain('REQ-003 is covered by no task');
  });

  it.each([
    [{ phases: ['explore', 'bogus'] }, 'phases: "bogus" is not a phase'],
    [{ onlyPhase: 'everything' }, 'onlyPhase: "everything" is not a phase'],
    [{ phases: ['design', 'explore'] }, 'phases: "explore" comes after "design"'],
    [{ maxAttempts: 0 }, 'maxAttempts: 0 must be an integer from 1 to 20'],
    [{ threshold: 1.5 }, 'threshold: 1.5 must be between 0 and 1'],
  ] as const)('a bad configuration %j ends with agent.completed(false) naming it', async (extra, message) => {
    const { run, executor } = start({}, extra);
    const result = await run;
    expect(result.success).toBe(false);
    expect(result.error).toContain(message);
    expect(executor.calls).toHaveLength(0);
    expect(reporter.types()).toEqual(['spec.execution_failed', 'agent.completed']);
    expect(data(reporter.events[1])).toMatchObject({ success: false, failed_phase: null });
    expectWellFormed(reporter.events);
  });
});

describe('runSpec: ticket sink errors', () => {
  it('retries the sink after an error (it is idempotent) and reports the ids of the successful call', async () => {
    const inner = new LocalTicketSink();
    let calls = 0;
    const sink = {
      createTickets: (input: Parameters<LocalTicketSink['createTickets']>[0], signal?: AbortSignal) => {
        calls++;
        return calls === 1 ? Promise.reject(new Error('server answered 503')) : inner.createTickets(input, signal);
      },
    };
    const result = await clock.settle(runSpec({ spec, cwd: dir, outputDir: dir, executor: scriptedExecutor({}, () => clock.now()), reporter, sink, clock, onlyPhase: 'sync', initialPhaseData: cleanPhaseData() }));
    expect(result.success).toBe(true);
    expect(calls).toBe(2);
    expect(data(reporter.ofType('spec.tickets_creation_completed')[0])).toEqual({ tickets_created: 0, tasks_created: 0, errors: ['server answered 503'] });
    expect(data(reporter.ofType('spec.phase_retry')[0])).toMatchObject({ phase: 'sync', reason: 'execution_error', error: 'server answered 503' });
    expect(reporter.ofType('spec.ticket_created').map((e) => data(e)['ticket_id'])).toEqual(['local-ticket-1']);
    expect(reporter.types().slice(-4)).toEqual(['spec.sync_completed', 'spec.phase_completed', 'spec.execution_completed', 'agent.completed']);
    expectWellFormed(reporter.events);
  });
});

describe('runSpec: review gates (approval_mode review)', () => {
  it('stops after REQUIREMENTS with spec.awaiting_approval, no design yet, and one successful agent.completed', async () => {
    const { run, executor } = start({}, { approvalMode: 'review' });
    const result = await clock.settle(run);
    expectWellFormed(reporter.events);
    expect(result.success).toBe(true);
    expect(result.awaitingApproval).toBe('requirements');
    expect(result.phasesCompleted).toEqual(['explore', 'requirements']);
    expect(executor.calls.map((c) => c.phase)).toEqual(['explore', 'requirements']);
    expect(reporter.types()).not.toContain('spec.execution_completed');
    const waiting = reporter.events.find((e) => e.event_type === 'spec.awaiting_approval');
    expect(data(waiting)).toMatchObject({ phase: 'requirements', next_phase: 'design', phases_completed: ['explore', 'requirements'] });
    expect(data(reporter.events.at(-1))).toMatchObject({ success: true, awaiting_approval: 'requirements' });
  });

  it('a run resumed at DESIGN stops again after DESIGN; one resumed at TASKS runs to the end', async () => {
    const base = cleanPhaseData();
    const context: PhaseData = { explore: base['explore']!, requirements: base['requirements']! };
    const first = start({}, { approvalMode: 'review', phases: ['design', 'tasks', 'sync'], initialPhaseData: context });
    const designRun = await clock.settle(first.run);
    expect(designRun.awaitingApproval).toBe('design');
    expect(first.executor.calls.map((c) => c.phase)).toEqual(['design']);
    expect(reporter.types()).not.toContain('spec.ticket_created');

    reporter = new MemoryReporter();
    const second = start({}, { approvalMode: 'review', phases: ['tasks', 'sync'], initialPhaseData: { ...context, design: designRun.phaseData['design']! } });
    const tasksRun = await clock.settle(second.run);
    expect(tasksRun.success).toBe(true);
    expect(tasksRun.awaitingApproval).toBeUndefined();
    expect(reporter.types()).toContain('spec.execution_completed');
    expect(reporter.types()).toContain('spec.ticket_created');
  });

  it('auto mode never stops at a gate', async () => {
    const { run } = start({}, { approvalMode: 'auto' });
    const result = await clock.settle(run);
    expect(result.awaitingApproval).toBeUndefined();
    expect(result.phasesCompleted).toEqual(phaseList());
  });

  it("a reviewer's rejection comment reaches the phase's first attempt as feedback, with the stored output to revise", async () => {
    const stored = cleanRequirements();
    const base = cleanPhaseData();
    const { run, executor } = start({}, { phases: ['requirements'], initialPhaseData: { explore: base['explore']!, requirements: stored }, reviewFeedback: 'REQ-002 must cover API keys that are revoked' });
    await clock.settle(run);
    const call = executor.calls[0]!;
    expect(call.phase).toBe('requirements');
    expect(call.feedback?.text).toContain('REQ-002 must cover API keys that are revoked');
    expect(call.feedback?.previousOutput).toEqual(stored);
    const line = reporter.events.find((e) => e.event_type === 'spec.progress' && String(data(e)['message']).startsWith('Re-running requirements'));
    expect(data(line)['review_comment']).toBe('REQ-002 must cover API keys that are revoked');
  });
});

describe('runSpec: usage and executor fields', () => {
  it('phase_completed carries executor, model and each attempt usage; agent.completed the run total', async () => {
    const usage = { input_tokens: 100, output_tokens: 10, cache_read_input_tokens: 50, cost_usd: 0.01 };
    const bad = { ...cleanRequirements(), requirements: [] };
    const executor = scriptedExecutor(
      {
        explore: [() => Promise.resolve({ output: cleanOutputs.explore(), usage })],
        requirements: [() => Promise.resolve({ output: bad, usage }), () => Promise.resolve({ output: cleanRequirements(), usage })],
      },
      () => clock.now(),
    );
    const named = Object.assign(executor, { name: 'openai', model: 'fake-model' });
    const result = await clock.settle(runSpec({ spec, cwd: dir, outputDir: join(dir, 'out'), executor: named, reporter, sink: new LocalTicketSink(), clock, phases: ['explore', 'requirements'] }));
    expect(result.error).toBeUndefined();
    const completed = reporter.events.filter((e) => e.event_type === 'spec.phase_completed');
    expect(data(completed[1])).toMatchObject({ phase: 'requirements', executor: 'openai', model: 'fake-model', usage: { input_tokens: 200, output_tokens: 20, cache_read_input_tokens: 100 } });
    expect(data(completed[1])['attempt_usage']).toEqual([usage, usage]);
    expect(data(reporter.events.find((e) => e.event_type === 'spec.phase_retry'))['usage']).toEqual(usage);
    expect(data(reporter.events.at(-1))).toMatchObject({ executor: 'openai', model: 'fake-model', usage: { input_tokens: 300, output_tokens: 30, cache_read_input_tokens: 150 } });
    expect((data(reporter.events.at(-1))['usage'] as { cost_usd: number }).cost_usd).toBeCloseTo(0.03);
  });

  it('an error marked fatal fails the phase at once: one attempt, no phase_retry', async () => {
    const fatal = Object.assign(new Error('OPENAI_API_KEY was rejected (401)'), { fatal: true });
    const { run, executor } = start({ explore: [fatal] });
    const result = await clock.settle(run);
    expect(result.success).toBe(false);
    expect(executor.calls).toHaveLength(1);
    expect(reporter.types()).not.toContain('spec.phase_retry');
    expect(result.error).toContain('OPENAI_API_KEY');
  });
});
