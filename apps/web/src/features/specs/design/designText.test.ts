import type { Design } from '@specline/protocol';
import { describe, expect, it } from 'vitest';
import { bodyFromDraft, dataModelsToMarkdown, draftFromDesign, draftProblems, moveItem, parseDataModels } from './designText';

/** The Markdown the server writes from a run's `data_models` (apps/server/src/services/phaseRows.ts). */
const SERVER_MARKDOWN = '### Order\nA customer order\n- `id`: uuid\n- `total_cents`: integer — in cents\n\n### Refund\n- `order_id`: uuid — the order refunded';

const design: Design = {
  architecture: '# Overview',
  data_model: SERVER_MARKDOWN,
  api_spec: [{ method: 'post', path: '/orders/{id}/refund', endpoint: '/orders/{id}/refund', description: 'Refund an order' }],
  components: [{ id: 'C-1', name: 'Refunds', responsibility: 'Pays money back', file_path: 'src/refunds.ts' }],
  error_handling: '',
  testing_strategy: '',
  architecture_diagram: null,
  edited_at: null,
};

describe('design draft', () => {
  it('reads the server’s data-model Markdown as rows and writes it back the same', () => {
    const models = parseDataModels(SERVER_MARKDOWN)!;
    expect(models.map((m) => [m.name, m.description, m.fields.map((f) => [f.name, f.type, f.description])])).toEqual([
      ['Order', 'A customer order', [['id', 'uuid', ''], ['total_cents', 'integer', 'in cents']]],
      ['Refund', '', [['order_id', 'uuid', 'the order refunded']]],
    ]);
    expect(dataModelsToMarkdown(models)).toBe(SERVER_MARKDOWN);
  });

  it('keeps a free-text data model as Markdown', () => {
    expect(parseDataModels('Orders have many refunds.\n\n| a | b |')).toBeNull();
    expect(parseDataModels('### Order\n- plain bullet')).toBeNull();
    expect(parseDataModels('')).toEqual([]);
    const draft = draftFromDesign({ ...design, data_model: 'Just prose.' });
    expect(draft.models).toBeNull();
    expect(bodyFromDraft(draft).data_model).toBe('Just prose.');
  });

  it('round-trips a design through the draft; empty rows are dropped', () => {
    const draft = draftFromDesign(design);
    draft.endpoints.push({ key: 'x', method: 'GET', path: '  ', description: '' });
    draft.components.push({ key: 'y', id: '', name: '', responsibility: '', file_path: '' });
    expect(draftProblems(draft)).toEqual([]);
    expect(bodyFromDraft(draft)).toEqual({
      architecture: '# Overview',
      architecture_diagram: null,
      data_model: SERVER_MARKDOWN,
      api_spec: [{ method: 'POST', path: '/orders/{id}/refund', description: 'Refund an order' }],
      components: [{ id: 'C-1', name: 'Refunds', responsibility: 'Pays money back', file_path: 'src/refunds.ts' }],
      error_handling: '',
      testing_strategy: '',
    });
  });

  it('names each half-filled row', () => {
    const draft = draftFromDesign(design);
    draft.components.push({ key: 'a', id: 'C-2', name: '', responsibility: 'x', file_path: '' });
    draft.endpoints.push({ key: 'b', method: 'GET', path: '', description: 'lists' }, { key: 'c', method: 'GET', path: '/a b', description: '' });
    draft.models![0]!.fields.push({ key: 'd', name: '', type: 'text', description: '' });
    expect(draftProblems(draft)).toEqual([
      'Component 2 needs a name.',
      'Endpoint 2 needs a path (such as /orders/{id}).',
      'The path of endpoint 3 cannot contain spaces.',
      'Field 3 of Order needs a name.',
    ]);
  });

  it('moves items within bounds', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, -2)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });
});
