/**
 * A complete successful run of the original spec-sandbox, event by event, as its state machine emits
 * it (`reference/original-anchor-sandbox.md` §1–§2): six phases with `prd`, `phase_started` without data,
 * progress lines, heartbeats with an integer `phases_completed`, phase outputs in the original shapes
 * (§1.3: requirements without `title` and with MoSCoW priorities and plain-string criteria, design
 * components without `id` and fields as a column object, `endpoint` for `path`, tasks with
 * `parent_ticket`, `HIGH`, `{depends_on}` and T-shirt estimates), ticket creation, the sync-summary
 * `agent.completed` that jumps the queue, `execution_completed`, and the final `agent.completed`.
 *
 * Rendered in the two producer shapes: the HTTP wire body (`{event_type, event_data: {...data, spec_id,
 * phase?}, source}`) and the plain `Event` (`{event_type, timestamp, spec_id, phase, data}`).
 */

export interface OriginalEvent {
  event_type: string;
  phase: string | null;
  data: Record<string, unknown> | null;
}

export interface OriginalRunOptions {
  title?: string;
  /** The commit EXPLORE read (its output's `repo_commit`), when the run explored a checkout. */
  repoCommit?: string;
  /** Leave `phase_output` out of every `phase_completed` (the seed document's example): the outputs then come only in the final `agent.completed`. */
  withoutPhaseOutputs?: boolean;
}

export const ORIGINAL_PHASES = ['explore', 'prd', 'requirements', 'design', 'tasks', 'sync'] as const;

export function originalOutputs(repoCommit?: string): Record<(typeof ORIGINAL_PHASES)[number], Record<string, unknown>> {
  return {
    explore: {
      codebase_summary: 'A Flask shop with an orders module and a payments client.',
      project_type: 'web_api',
      tech_stack: ['python', 'flask', 'sqlalchemy'],
      structure: { backend: 'app/', tests: 'tests/' },
      key_files: [{ path: 'app/orders.py', purpose: 'orders' }],
      ...(repoCommit ? { repo_commit: repoCommit } : {}),
      _output_source: 'file',
      _execution: { cost_usd: 0.12, duration_ms: 4000, tool_uses: 9 },
    },
    prd: { prd_version: '1.0', feature_name: 'Order webhooks', overview: { one_liner: 'Tell partners when orders are paid' } },
    requirements: {
      feature_name: 'Order webhooks',
      requirements: [
        {
          id: 'REQ-WEBHOOK-FUNC-001',
          type: 'functional',
          category: 'FUNC',
          priority: 'must',
          text: 'WHEN an order is paid, THE SYSTEM SHALL POST a signed webhook to each subscribed URL within 5 seconds.',
          acceptance_criteria: ['A subscribed URL receives one POST per paid order', 'The X-Signature header verifies with the shared secret'],
          dependencies: [],
        },
        {
          id: 'REQ-WEBHOOK-SEC-002',
          type: 'security',
          priority: 'HIGH',
          text: 'THE SYSTEM SHALL refuse webhook URLs that are not https.',
          acceptance_criteria: ['An http:// URL is answered with 422', 'An https:// URL is accepted'],
        },
        {
          id: 'REQ-WEBHOOK-REL-003',
          type: 'reliability',
          priority: 'someday',
          text: 'IF a delivery fails, THEN THE SYSTEM SHALL retry it with exponential backoff up to 5 times.',
          acceptance_criteria: ['A 500 answer is retried', { note: 'no text here' }],
        },
      ],
      assumptions: ['Partners accept JSON'],
    },
    design: {
      feature_name: 'Order webhooks',
      architecture_overview: 'A dispatcher subscribes to order events and delivers signed webhooks.',
      architecture_diagram: 'graph TD; Orders-->Dispatcher; Dispatcher-->Partner',
      components: [
        { name: 'WebhookDispatcher', type: 'service', file_path: 'app/webhooks/dispatcher.py', description: 'Signs and sends webhooks', responsibility: 'Deliver each paid order to every subscriber' },
        { name: 'SubscriptionStore', type: 'repository', description: 'Keeps subscriptions' },
        { type: 'orphan', description: 'a component without a name' },
      ],
      data_models: [{ name: 'WebhookSubscription', table_name: 'webhook_subscriptions', fields: { id: 'UUID PRIMARY KEY', url: 'TEXT NOT NULL', secret: 'TEXT NOT NULL' } }],
      api_endpoints: [
        { method: 'POST', endpoint: '/api/webhooks', description: 'Subscribe a URL', auth_required: true },
        { method: 'DELETE', path: '/api/webhooks/{id}', description: 'Unsubscribe' },
      ],
      error_handling: { retries: 'Exponential backoff, 5 tries', dead_letter: 'After the last try the delivery is kept for inspection' },
      testing_strategy: { unit_tests: ['signature', 'backoff'], integration_tests: ['delivery to a local receiver'] },
      security_considerations: ['secrets are never logged'],
    },
    tasks: {
      feature_name: 'Order webhooks',
      tickets: [
        { id: 'TKT-001', title: 'Webhook delivery', description: 'Deliver paid orders to partners', priority: 'HIGH', estimate: 'L', requirements: ['REQ-WEBHOOK-FUNC-001'], dependencies: { blocked_by: [], blocks: [] } },
        { id: 'TKT-002', title: 'Subscription safety', priority: 'medium', requirements: ['REQ-WEBHOOK-SEC-002'] },
      ],
      tasks: [
        { id: 'TSK-001', title: 'Subscription model and migration', description: 'Add webhook_subscriptions', parent_ticket: 'TKT-001', type: 'implementation', priority: 'HIGH', estimate: 'S', files_to_create: ['app/webhooks/models.py'], dependencies: { depends_on: [], blocks: ['TSK-002'] }, requirements_addressed: ['REQ-WEBHOOK-FUNC-001'] },
        { id: 'TSK-002', title: 'Dispatcher with signatures', description: 'Sign and POST', parent_ticket: 'TKT-001', priority: 'HIGH', estimated_hours: 3, dependencies: { depends_on: ['TSK-001'], blocks: [] }, requirements_addressed: ['REQ-WEBHOOK-FUNC-001'] },
        { id: 'TSK-003', title: 'Refuse plain-http URLs', parent_ticket: 'TKT-002', estimate: 'XS', dependencies: { depends_on: ['TSK-001', 'TSK-404'] }, requirements_addressed: ['REQ-WEBHOOK-SEC-002'] },
        { id: 'TSK-004', title: 'A task that names no ticket', estimate: 'M' },
      ],
      total_estimated_hours: 8,
      critical_path: ['TSK-001', 'TSK-002'],
    },
    sync: {
      validation_results: { all_requirements_covered: true, dependency_order_valid: true, no_circular_dependencies: true, issues_found: [], warnings: [] },
      coverage_matrix: [{ requirement_id: 'REQ-WEBHOOK-FUNC-001', covered_by_tasks: ['TSK-001', 'TSK-002'], status: 'covered' }],
      ready_for_execution: true,
      blockers: [],
    },
  };
}

/** The run, in emit order. */
export function originalRun(options: OriginalRunOptions = {}): OriginalEvent[] {
  const outputs = originalOutputs(options.repoCommit);
  const events: OriginalEvent[] = [
    { event_type: 'spec.execution_started', phase: null, data: { title: options.title ?? 'Order webhooks', description: 'Tell partners when orders are paid', phases: [...ORIGINAL_PHASES] } },
  ];
  ORIGINAL_PHASES.forEach((phase, i) => {
    events.push({ event_type: 'spec.phase_started', phase, data: null });
    events.push({ event_type: 'spec.progress', phase, data: { message: `Starting ${phase} phase...` } });
    events.push({ event_type: 'spec.progress', phase, data: { message: `Tool use: Read (${phase})` } });
    events.push({ event_type: 'spec.heartbeat', phase: null, data: { phases_completed: i, current_phase: i > 0 ? ORIGINAL_PHASES[i - 1]! : null } });
    events.push({ event_type: 'spec.progress', phase, data: { message: `Evaluation score: 0.9${i}`, eval_passed: true, eval_details: { structure: 1 } } });
    events.push({
      event_type: 'spec.phase_completed',
      phase,
      data: { eval_score: 0.9, duration_seconds: 12.5 + i, retry_count: 0, ...(options.withoutPhaseOutputs ? {} : { phase_output: outputs[phase] }) },
    });
  });
  const phaseDataWithoutSync = Object.fromEntries(ORIGINAL_PHASES.filter((p) => p !== 'sync').map((p) => [p, outputs[p]]));
  events.push(
    { event_type: 'spec.progress', phase: null, data: { message: 'Generating markdown artifacts...' } },
    { event_type: 'spec.tickets_creation_started', phase: null, data: { ticket_count: 2, task_count: 4 } },
    { event_type: 'spec.tickets_creation_completed', phase: null, data: { tickets_created: 0, tickets_failed: 2, tasks_created: 0, tasks_failed: 4, errors: ['401 Unauthorized'], ticket_ids: [], task_ids: [] } },
    // The sync summary jumps the queue in the original; here it simply comes before the end.
    {
      event_type: 'agent.completed',
      phase: null,
      data: { success: true, phase_data: phaseDataWithoutSync, sync_summary: { status: 'completed', traceability: { requirements: 3, tasks: 4, orphans: {} }, blockers: [] } },
    },
    { event_type: 'spec.execution_completed', phase: null, data: { phases_completed: 6, markdown_artifacts: { requirements: '.omoi_os/requirements/REQ.md' }, ticket_creation: null } },
    { event_type: 'agent.completed', phase: null, data: { success: true, phase_data: outputs, phases_completed: [...ORIGINAL_PHASES] } },
  );
  return events;
}

/** The HTTP wire body of the original reporter: `event_data` carries the data, `spec_id` and `phase`. */
export function wireBody(event: OriginalEvent, specId: string): Record<string, unknown> {
  return { event_type: event.event_type, event_data: { ...(event.data ?? {}), spec_id: specId, ...(event.phase ? { phase: event.phase } : {}) }, source: 'agent' };
}

/** The plain `Event` model, with a timestamp one second apart from the previous one. */
export function plainEvent(event: OriginalEvent, specId: string, index: number, start = Date.parse('2026-03-01T10:00:00Z')): Record<string, unknown> {
  return {
    event_type: event.event_type,
    timestamp: new Date(start + index * 1000).toISOString(),
    spec_id: specId,
    phase: event.phase,
    ...(event.data ? { data: event.data } : {}),
  };
}

export function batches<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
