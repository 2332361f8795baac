import { describe, expect, it } from 'vitest';
import { clauseFacts, featurePhrase, featureWords, outOfScopeText, splitClauses } from './text';

describe('splitClauses', () => {
  it('splits "X and <verb> Y" into two clauses but keeps noun lists together', () => {
    expect(splitClauses('Limit each API key to 100 requests per minute and return 429 with Retry-After')).toEqual(['Limit each API key to 100 requests per minute', 'return 429 with Retry-After']);
    expect(splitClauses('Give admins read and write access')).toEqual(['Give admins read and write access']);
  });

  it('splits sentences, bullets and semicolons; keeps "When X, do Y" whole and numbers with commas intact', () => {
    expect(splitClauses('- Users can export reports.\n- When a report has more than 10,000 rows, stream it; log the export')).toEqual([
      'Users can export reports',
      'When a report has more than 10,000 rows, stream it',
      'log the export',
    ]);
  });

  it('recognises out-of-scope clauses', () => {
    expect(outOfScopeText('Out of scope: billing')).toBe('Billing');
    expect(outOfScopeText('Excluding admin routes')).toBe('Admin routes');
    expect(outOfScopeText('Return 429')).toBeUndefined();
  });
});

describe('clauseFacts', () => {
  it('finds the limit, quantities, statuses, headers and routes a clause states', () => {
    expect(clauseFacts('Limit each API key to 100 requests per minute')).toMatchObject({ limit: { subject: 'API key', quota: '100 requests per minute' }, quantities: ['100 requests per minute'] });
    expect(clauseFacts('return 429 with Retry-After and X-RateLimit-Remaining')).toMatchObject({ statuses: [429], headers: ['Retry-After', 'X-RateLimit-Remaining'] });
    expect(clauseFacts('Add GET /api/v1/reports/{id} for REQ-001')).toMatchObject({ routes: [{ method: 'GET', path: '/api/v1/reports/{id}' }], headers: [] });
  });
});

describe('feature naming', () => {
  it('drops the leading verb and stopwords', () => {
    expect(featurePhrase('Add rate limiting to the public API')).toBe('rate limiting to the public API');
    expect(featureWords('Add rate limiting to the public API')).toEqual(['rate', 'limiting']);
    expect(featureWords('Support CSV export of reports', 3)).toEqual(['csv', 'export', 'reports']);
  });
});
