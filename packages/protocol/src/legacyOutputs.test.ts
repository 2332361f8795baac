import { describe, expect, it } from 'vitest';
import { adaptPhaseOutput } from './legacyOutputs';
import { DesignOutput, RequirementsOutput, TasksOutput } from './outputs';

describe('adaptPhaseOutput: the original producer’s phase outputs become Specline’s', () => {
  it('requirements without title, priority must, criteria as plain strings', () => {
    const original = {
      feature_name: 'Webhooks',
      requirements: [
        { id: 'REQ-WEBHOOK-FUNC-001', type: 'functional', category: 'FUNC', priority: 'must', text: 'WHEN an order is paid, THE SYSTEM SHALL POST a signed webhook to each subscribed URL within 5 seconds.', acceptance_criteria: ['A subscribed URL receives one POST per paid order', 'The X-Signature header verifies with the shared secret'] },
        { id: 'REQ-WEBHOOK-SEC-002', priority: 'HIGH', text: 'THE SYSTEM SHALL reject webhook URLs that are not https', acceptance_criteria: [{ id: 'AC-X', text: 'http:// URLs get 422' }] },
      ],
    };
    const { output, warnings, mapped } = adaptPhaseOutput('requirements', original);
    expect(warnings).toEqual([]);
    const parsed = RequirementsOutput.parse(output);
    expect(parsed.requirements[0]).toMatchObject({ priority: 'critical', title: 'POST a signed webhook to each subscribed URL within 5 seconds', acceptance_criteria: [{ id: 'REQ-WEBHOOK-FUNC-001.AC-1' }, { id: 'REQ-WEBHOOK-FUNC-001.AC-2' }] });
    expect(parsed.requirements[1]).toMatchObject({ priority: 'high', type: 'functional', acceptance_criteria: [{ id: 'AC-X', text: 'http:// URLs get 422' }] });
    expect(mapped).toContain('requirements[0].priority: "must" → critical');
    expect(mapped).toContain('requirements[1].priority: "HIGH" → high');
  });

  it('warns, naming the place, about what cannot be mapped', () => {
    const { warnings } = adaptPhaseOutput('requirements', { requirements: [{ id: 'R1', priority: 'someday', acceptance_criteria: [42] }] });
    expect(warnings.map((w) => w.path)).toEqual(['requirements[0].title', 'requirements[0].priority', 'requirements[0].acceptance_criteria[0]']);
  });

  it('design components without id, fields as an object of columns, endpoint instead of path, dict sections', () => {
    const original = {
      architecture_overview: 'Webhook dispatcher behind the order service.',
      components: [{ name: 'WebhookDispatcher', type: 'service', file_path: 'app/webhooks/dispatcher.py', description: 'Signs and sends webhooks' }],
      data_models: [{ name: 'WebhookSubscription', table_name: 'webhook_subscriptions', fields: { id: 'UUID PRIMARY KEY', url: 'TEXT NOT NULL' } }],
      api_endpoints: [{ method: 'POST', endpoint: '/webhooks', description: 'Subscribe' }],
      error_handling: { retries: 'Exponential backoff, 5 tries' },
      testing_strategy: { unit_tests: ['signature'], integration_tests: ['delivery'] },
    };
    const { output, warnings } = adaptPhaseOutput('design', original);
    expect(warnings).toEqual([]);
    const parsed = DesignOutput.parse(output);
    expect(parsed.components[0]).toMatchObject({ id: 'DES-001', responsibility: 'Signs and sends webhooks' });
    expect(parsed.data_models[0]?.fields).toEqual([{ name: 'id', type: 'UUID PRIMARY KEY' }, { name: 'url', type: 'TEXT NOT NULL' }]);
    expect(parsed.api_endpoints[0]?.path).toBe('/webhooks');
    expect(parsed.testing_strategy).toContain('- signature');
    expect(parsed.error_handling).toContain('Exponential backoff');
  });

  it('tasks with parent_ticket, priority HIGH, {depends_on} dependencies, requirements_addressed and T-shirt estimates', () => {
    const original = {
      tickets: [{ id: 'TKT-001', title: 'Webhooks', priority: 'HIGH', requirements: ['REQ-1'] }],
      tasks: [
        { id: 'TSK-001', title: 'Model', parent_ticket: 'TKT-001', estimate: 'S', requirements_addressed: ['REQ-1'], files_to_create: ['app/models/webhook.py'] },
        { id: 'TSK-002', title: 'Dispatcher', parent_ticket: 'TKT-001', estimated_hours: 3, dependencies: { depends_on: ['TSK-001'], blocks: [] } },
      ],
    };
    const { output, warnings } = adaptPhaseOutput('tasks', original);
    expect(warnings).toEqual([]);
    const parsed = TasksOutput.parse(output);
    expect(parsed.tickets[0]?.priority).toBe('high');
    expect(parsed.tasks[0]).toMatchObject({ ticket_id: 'TKT-001', estimated_hours: 2, requirements: ['REQ-1'], depends_on: [], files: ['app/models/webhook.py'] });
    expect(parsed.tasks[1]).toMatchObject({ depends_on: ['TSK-001'], estimated_hours: 3 });
  });

  it('leaves Specline-shaped outputs as they are', () => {
    const own = { requirements: [{ id: 'REQ-001', title: 'Limit', type: 'functional', priority: 'high', text: 'THE SYSTEM SHALL answer 429', acceptance_criteria: [{ id: 'REQ-001.AC-1', text: '429 with Retry-After' }] }] };
    const { output, warnings, mapped } = adaptPhaseOutput('requirements', own);
    expect(output).toEqual(own);
    expect(warnings).toEqual([]);
    expect(mapped).toEqual([]);
  });
});
