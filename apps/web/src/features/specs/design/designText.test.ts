import { describe, expect, it } from 'vitest';
import { componentsToText, endpointsToText, textToComponents, textToEndpoints } from './designText';

describe('design text round trips', () => {
  it('reads endpoints written one per line, upper-casing the method', () => {
    expect(textToEndpoints('get /keys — list keys\n\nPOST /keys\nDELETE /keys/{id} - remove one')).toEqual({
      items: [
        { method: 'GET', path: '/keys', description: 'list keys' },
        { method: 'POST', path: '/keys', description: '' },
        { method: 'DELETE', path: '/keys/{id}', description: 'remove one' },
      ],
      badLines: [],
    });
  });

  it('names the lines it cannot read', () => {
    expect(textToEndpoints('GET /ok\njust words here\n/nomethod').badLines).toEqual([2, 3]);
    expect(textToComponents('C-1 | Limiter | counts\nno name').badLines).toEqual([2]);
  });

  it('writes what it reads back unchanged', () => {
    const design = {
      api_spec: [{ method: 'GET', path: '/keys', endpoint: '/keys', description: 'list keys' }],
      components: [
        { id: 'DES-001', name: 'Limiter', responsibility: 'counts requests', file_path: 'src/limiter.ts' },
        { id: 'DES-002', name: 'Store', responsibility: '' },
      ],
    };
    expect(textToEndpoints(endpointsToText(design)).items).toEqual([{ method: 'GET', path: '/keys', description: 'list keys' }]);
    expect(textToComponents(componentsToText(design)).items).toEqual([
      { id: 'DES-001', name: 'Limiter', responsibility: 'counts requests', file_path: 'src/limiter.ts' },
      { id: 'DES-002', name: 'Store', responsibility: '' },
    ]);
  });
});
