import { describe, expect, it } from 'vitest';
import { capitalize, clauseFacts, featurePhrase, featureWords, lowerFirst, outOfScopeText, splitClauses, truncate } from './text';

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

describe('text defects seen on real requests', () => {
  it('keeps e.g./i.e. and the dates after them inside one clause, and YYYY-MM-DD is no header', () => {
    expect(splitClauses('Reports accept dates as YYYY-MM-DD, e.g. 2026-01-31. Older dates are refused')).toEqual(['Reports accept dates as YYYY-MM-DD, e.g. 2026-01-31', 'Older dates are refused']);
    expect(clauseFacts('Reports accept dates as YYYY-MM-DD, e.g. 2026-01-31').headers).toEqual([]);
    expect(clauseFacts('Send X-Request-Id and Retry-After').headers).toEqual(['X-Request-Id', 'Retry-After']);
  });

  it('drops sentence punctuation after a route path', () => {
    expect(clauseFacts('Add POST /password-recovery/{email}.').routes).toEqual([{ method: 'POST', path: '/password-recovery/{email}' }]);
    expect(clauseFacts('Call GET /api/v1/items/, then stop').routes).toEqual([{ method: 'GET', path: '/api/v1/items/' }]);
  });

  it('truncates at a word boundary, never mid-word', () => {
    expect(truncate('Let owners book visits for their pets online from the owner page', 30)).toBe('Let owners book visits for…');
    expect(truncate('short', 30)).toBe('short');
    const cut = truncate('Administrators can deactivate accounts permanently', 20);
    expect(cut).toBe('Administrators can…');
  });

  it('leaves date and format tokens alone when changing case', () => {
    expect(capitalize('yyyy-mm-dd is the format')).toBe('yyyy-mm-dd is the format');
    expect(capitalize('2026-01-31 is the last day')).toBe('2026-01-31 is the last day');
    expect(capitalize('users must confirm')).toBe('Users must confirm');
    expect(lowerFirst('YYYY-MM-DD dates')).toBe('YYYY-MM-DD dates');
    expect(lowerFirst('PostController answers')).toBe('PostController answers');
    expect(lowerFirst('Users must confirm')).toBe('users must confirm');
    expect(lowerFirst('Rate-limit login attempts')).toBe('rate-limit login attempts');
    expect(capitalize('dd-mm-yyyy dates')).toBe('dd-mm-yyyy dates');
  });
});
