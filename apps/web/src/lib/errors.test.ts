import { ApiError } from '@specline/client';
import { describe, expect, it } from 'vitest';
import { errorMessage, fieldError, fieldSentence, labelOfPath } from './errors';
import { documentTitle } from './useDocumentTitle';
import { LIMITS, MAX_ESTIMATE_HOURS } from './limits';

const tooLong = new ApiError({
  status: 422,
  code: 'validation_failed',
  detail: 'invalid request body: body.title: Too big: expected string to have <=500 characters',
  errors: [{ path: 'body.title', message: 'Too big: expected string to have <=500 characters' }],
  request: 'POST /api/v1/tickets',
});

describe('the error mapping (code + path → sentence)', () => {
  it('says a too-long title as a sentence with the limit and the length, never the raw text', () => {
    expect(fieldError(tooLong, 'body.title', { label: 'Title', value: 'x'.repeat(501) })).toBe('Title can be at most 500 characters (you have 501).');
    const message = errorMessage(tooLong);
    expect(message).toBe('Title can be at most 500 characters.');
    expect(message).not.toContain('invalid request body');
    expect(message).not.toContain('Too big');
  });

  it('leaves out the paths a field shows itself, so nothing is said twice', () => {
    expect(errorMessage(tooLong, new Set(['body.title']))).toBe('');
    const two = new ApiError({
      status: 422,
      code: 'validation_failed',
      detail: 'invalid request body: …',
      errors: [
        { path: 'body.title', message: 'Too big: expected string to have <=500 characters' },
        { path: 'body.title', message: 'Too big: expected string to have <=500 characters' },
        { path: 'body.priority', message: 'Invalid option: expected one of "low"|"medium"|"high"|"critical"' },
      ],
      request: 'POST /api/v1/tickets',
    });
    expect(errorMessage(two)).toBe('Title can be at most 500 characters. Priority must be one of low, medium, high, critical.');
    expect(errorMessage(two, new Set(['body.title']))).toBe('Priority must be one of low, medium, high, critical.');
  });

  it('maps the zod messages the server passes on', () => {
    expect(fieldSentence({ path: 'body.name', message: 'Too small: expected string to have >=1 characters' })).toBe('Name is required.');
    expect(fieldSentence({ path: 'body.email', message: 'Invalid email address' })).toBe('Email must be an email address.');
    expect(fieldSentence({ path: 'body.estimated_hours', message: 'at least 0.01 hours' })).toBe('Estimated hours must be at least 0.01 hours.');
    expect(fieldSentence({ path: 'body.estimated_hours', message: 'Too big: expected number to be <=1000' })).toBe('Estimated hours can be at most 1000.');
    expect(fieldSentence({ path: 'body.password', message: 'password must be at least 8 characters' })).toBe('Password must be at least 8 characters.');
    expect(fieldSentence({ path: 'body.limit', message: 'Invalid input: expected int, received number' })).toBe('Limit must be a whole number.');
    expect(fieldSentence({ path: 'body.title', message: 'Invalid input: expected string, received undefined' })).toBe('Title is required.');
    expect(labelOfPath('body.components.0.id')).toBe('Id (components 1)');
    expect(labelOfPath('querystring.q')).toBe('Q');
  });

  it('shows other codes by the server’s detail, and the client’s own codes as sentences', () => {
    expect(errorMessage(new ApiError({ status: 409, code: 'conflict', detail: 'spec s1 is archived: an archived spec is read-only', request: 'PATCH /x' }))).toBe('spec s1 is archived: an archived spec is read-only');
    expect(errorMessage(new ApiError({ status: 0, code: 'network_error', detail: 'TypeError: fetch failed', request: 'GET /x' }))).toBe('Could not reach the server. Check your connection and try again.');
    expect(errorMessage(new Error('plain'))).toBe('plain');
  });

  it('reads the limits from the protocol schemas', () => {
    expect(LIMITS.ticketTitle).toBe(500);
    expect(LIMITS.projectName).toBe(200);
    expect(LIMITS.criterionText).toBe(2000);
    expect(MAX_ESTIMATE_HOURS).toBe(1000);
  });
});

describe('documentTitle', () => {
  it('names the page, most specific first, then Specline', () => {
    expect(documentTitle(['Add order refunds', 'Demo project'])).toBe('Add order refunds · Demo project · Specline');
    expect(documentTitle(['Add order refunds', undefined])).toBe('Add order refunds · Specline');
    expect(documentTitle([])).toBe('Specline');
  });
});
