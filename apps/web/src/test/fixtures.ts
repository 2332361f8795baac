import type { Criterion, Project, Requirement, Spec, SpecTask } from '@specline/protocol';

export const NOW = '2026-01-02T03:04:05.000Z';

export function makeCriterion(overrides: Partial<Criterion> = {}): Criterion {
  return { id: 'c1', local_id: 'REQ-001.AC-1', text: 'Answers 429 after the limit', completed: false, ...overrides };
}

export function makeRequirement(overrides: Partial<Requirement> = {}): Requirement {
  return {
    id: 'r1',
    local_id: 'REQ-001',
    title: 'Limit requests per key',
    condition: 'WHEN a key exceeds 100 requests per minute',
    action: 'THE SYSTEM SHALL answer 429 with a Retry-After header',
    text: 'WHEN a key exceeds 100 requests per minute THE SYSTEM SHALL answer 429 with a Retry-After header',
    type: 'functional',
    priority: 'high',
    status: 'pending',
    linked_design: null,
    criteria: [makeCriterion()],
    edited_at: null,
    position: 0,
    ...overrides,
  };
}

export function makeTask(overrides: Partial<SpecTask> = {}): SpecTask {
  return {
    id: 't1',
    local_id: 'TSK-001',
    ticket_local_id: 'TKT-001',
    title: 'Add the limiter',
    description: '',
    phase: 'Implementation',
    priority: 'medium',
    status: 'pending',
    assigned_agent: null,
    dependencies: [],
    requirements: ['REQ-001'],
    estimated_hours: 2,
    actual_hours: null,
    edited_at: null,
    position: 0,
    ...overrides,
  };
}

export function makeSpec(overrides: Partial<Spec> = {}): Spec {
  return {
    id: 's1',
    project_id: 'p1',
    title: 'Rate limiting',
    description: 'Limit requests per API key',
    status: 'completed',
    phase: 'Tasks',
    current_phase: 'sync',
    phases: ['explore', 'requirements', 'design', 'tasks', 'sync'],
    phase_status: {},
    progress: 100,
    requirements_approved: false,
    requirements_approved_at: null,
    design_approved: false,
    design_approved_at: null,
    last_error: null,
    archived: false,
    linked_tickets: 0,
    requirements: [makeRequirement()],
    design: null,
    tasks: [],
    usage: null,
    sandbox_id: null,
    last_heartbeat_at: null,
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}

export function makeProject(overrides: Partial<Project> = {}): Project {
  return {
    id: 'p1',
    name: 'Billing',
    created_by: 'u1',
    role: 'owner',
    repo_url: null,
    repo_ref: null,
    model_settings: { executor: null, model: null, base_url: null, api_key_set: false, api_key_last4: null },
    approval_mode: 'auto',
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}
