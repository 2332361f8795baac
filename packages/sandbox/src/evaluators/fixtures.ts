/**
 * A small, clean, hand-written set of phase outputs (one feature: rate limiting). Used by tests and
 * by anyone who needs a known-good `phase_data`. Each call returns fresh copies, safe to mutate.
 */
import type { DesignOutput, ExploreOutput, RequirementsOutput, TasksOutput } from '@specline/protocol';

export function cleanExplore(): ExploreOutput {
  return {
    codebase_summary: 'A TypeScript monorepo with a Fastify API server and a React web client, tested with Vitest.',
    project_type: 'monorepo',
    tech_stack: ['TypeScript', 'Node.js', 'Fastify', 'React', 'Vitest'],
    structure: { 'apps/server': 'HTTP API', 'apps/web': 'web UI', packages: 'shared libraries' },
    key_files: [
      { path: 'package.json', purpose: 'workspace manifest' },
      { path: 'apps/server/src/app.ts', purpose: 'Fastify app factory' },
    ],
    conventions: { naming: 'camelCase', testing: 'colocated *.test.ts' },
    entry_points: ['apps/server/src/main.ts'],
    test_structure: 'Vitest projects per workspace, colocated *.test.ts files',
    feature_summary: { name: 'API rate limiting', one_liner: 'Limit each API key to 100 requests per minute', scope_in: ['per-key limits'], scope_out: ['billing'] },
  };
}

export function cleanRequirements(): RequirementsOutput {
  return {
    feature_name: 'API rate limiting',
    requirements: [
      {
        id: 'REQ-001',
        title: 'Limit requests per key',
        type: 'functional',
        priority: 'high',
        text: 'WHEN an API key exceeds 100 requests in one minute, THE SYSTEM SHALL reject further requests from that key with status 429.',
        acceptance_criteria: [
          { id: 'REQ-001.AC-1', text: 'The 101st request within a minute receives 429.' },
          { id: 'REQ-001.AC-2', text: 'Requests from another key are unaffected.' },
        ],
      },
      {
        id: 'REQ-002',
        title: 'Tell clients when to retry',
        type: 'functional',
        priority: 'medium',
        text: 'IF a request is rejected for rate limiting, THEN THE SYSTEM SHALL include a Retry-After header giving the seconds until the window resets.',
        acceptance_criteria: [
          { id: 'REQ-002.AC-1', text: 'Every 429 response carries Retry-After.' },
          { id: 'REQ-002.AC-2', text: 'Retry-After is a whole number of seconds no greater than 60.' },
        ],
      },
      {
        id: 'REQ-003',
        title: 'Headers on every response',
        type: 'usability',
        priority: 'low',
        text: 'THE SYSTEM SHALL report the remaining request allowance in an X-RateLimit-Remaining header on every API response.',
        acceptance_criteria: [
          { id: 'REQ-003.AC-1', text: 'The header decreases by one per request.' },
          { id: 'REQ-003.AC-2', text: 'The header resets to 100 in a new window.' },
        ],
      },
    ],
  };
}

export function cleanDesign(): DesignOutput {
  return {
    architecture_overview: 'A Fastify plugin counts requests per API key in fixed one-minute windows held in Redis.',
    components: [
      { id: 'DES-001', name: 'RateLimiter', responsibility: 'Counts requests per key and window', file_path: 'apps/server/src/rateLimit/limiter.ts', requirements: ['REQ-001'] },
      { id: 'DES-002', name: 'RateLimitPlugin', responsibility: 'Rejects over-limit requests and sets headers', requirements: ['REQ-002', 'REQ-003'] },
    ],
    data_models: [{ name: 'RateWindow', fields: [{ name: 'key', type: 'string' }, { name: 'count', type: 'integer' }] }],
    api_endpoints: [{ method: 'GET', path: '/api/v1/rate-limit', description: 'Current allowance of the calling key' }],
    error_handling: 'Redis unavailable: fail open and log a warning.',
    testing_strategy: 'Unit tests of the limiter with an injected clock; inject tests of the plugin.',
  };
}

export function cleanTasks(): TasksOutput {
  return {
    tickets: [
      { id: 'TKT-001', title: 'Rate limiting', description: 'Per-key request limits', priority: 'high', requirements: ['REQ-001', 'REQ-002', 'REQ-003'] },
    ],
    tasks: [
      { id: 'TSK-001', ticket_id: 'TKT-001', title: 'Window counter', description: 'Fixed-window counter per key', estimated_hours: 3, depends_on: [], requirements: ['REQ-001'], components: ['DES-001'] },
      { id: 'TSK-002', ticket_id: 'TKT-001', title: 'Reject with 429', description: 'Plugin rejects over-limit requests', estimated_hours: 2, depends_on: ['TSK-001'], requirements: ['REQ-001', 'REQ-002'], components: ['DES-002'] },
      { id: 'TSK-003', ticket_id: 'TKT-001', title: 'Allowance headers', description: 'X-RateLimit-Remaining on every response', estimated_hours: 1.5, depends_on: ['TSK-002'], requirements: ['REQ-003'], components: ['DES-002'] },
    ],
  };
}

/** phase_data of a clean run up to (and including) TASKS. */
export function cleanPhaseData(): Record<string, Record<string, unknown>> {
  return { explore: cleanExplore(), requirements: cleanRequirements(), design: cleanDesign(), tasks: cleanTasks() };
}
