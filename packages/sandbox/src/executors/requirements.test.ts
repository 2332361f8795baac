import { describe, expect, it } from 'vitest';
import { generateDesign } from './design';
import { generateRequirements } from './requirements';

const explore = { languages: [{ name: 'Python', files: 12 }], frameworks: ['FastAPI', 'pytest'], test_runner: 'pytest', source_dirs: ['src/shop'] };
const texts = (out: ReturnType<typeof generateRequirements>) => out.requirements.map((r) => r.text);

describe('requirement text keeps what the request says', () => {
  it('keeps the obligation of "must" ("Users must confirm their email" is not "ensure that users confirm")', () => {
    const out = generateRequirements({ title: 'Email confirmation', description: 'Users must confirm their email before they can log in.' }, explore);
    expect(out.requirements[0]!.text).toBe('WHEN a client uses email confirmation, THE SYSTEM SHALL require users to confirm their email before they can log in.');
    const never = generateRequirements({ title: 'Private orders', description: 'Users must not see the orders of other users' }, explore);
    expect(never.requirements[0]!.text).toContain('THE SYSTEM SHALL NOT allow users to see the orders of other users');
    const system = generateRequirements({ title: 'Rate limit', description: 'The API must return 429 when a key is over its limit' }, explore);
    expect(system.requirements[0]!.text).toMatch(/THE SYSTEM SHALL return HTTP 429 \(Too Many Requests\) when a key is over its limit\.$/);
  });

  it('writes endpoint paths without the sentence\'s trailing dot, in requirements and design', () => {
    const spec = { title: 'Password recovery', description: 'Add POST /password-recovery/{email}.' };
    const requirements = generateRequirements(spec, explore);
    expect(requirements.requirements[0]!.text).toBe('WHEN a client sends `POST /password-recovery/{email}`, THE SYSTEM SHALL serve `POST /password-recovery/{email}`.');
    expect(JSON.stringify(requirements)).not.toContain('{email}.`');
    expect(JSON.stringify(requirements)).not.toMatch(/\{email\}\.(?:\s|"|$)/);
    const design = generateDesign(spec, explore, requirements);
    expect(design.api_endpoints.map((e) => `${e.method} ${e.path}`)).toContain('POST /password-recovery/{email}');
    expect(design.api_endpoints.every((e) => !e.path.endsWith('.'))).toBe(true);
  });

  it('keeps YYYY-MM-DD and 2026-01-31 intact (not split at "e.g.", not taken for headers, not re-cased)', () => {
    const out = generateRequirements({ title: 'Report date filter', description: 'Reports accept a start date as YYYY-MM-DD, e.g. 2026-01-31. Dates after 2026-12-31 are refused with 422' }, explore);
    const all = texts(out).join(' ') + out.requirements.flatMap((r) => r.acceptance_criteria.map((c) => c.text)).join(' ');
    expect(out.requirements[0]!.text).toContain('YYYY-MM-DD, e.g. 2026-01-31');
    expect(all).not.toMatch(/YYYY-MM-DD header|a YYYY-MM-DD/);
    expect(all).not.toMatch(/yyyy-mm-dd|Yyyy/);
    expect(out.requirements[1]!.title).toBe('Dates after 2026-12-31 are refused with 422');
    expect(out.requirements.filter((r) => String(r['source']).startsWith('description'))).toHaveLength(2);
  });

  it('cuts long titles at a word boundary', () => {
    const clause = 'Owners can book a visit for any of their pets from the owner page and pick a vet and a time slot for it';
    const out = generateRequirements({ title: 'Visit booking', description: clause }, explore);
    const title = out.requirements[0]!.title;
    expect(title.length).toBeLessThanOrEqual(80);
    expect(title.endsWith('…')).toBe(true);
    expect(clause.startsWith(title.slice(0, -1))).toBe(true);
    expect(clause.charAt(title.length - 1)).toBe(' '); // the cut falls between two words
  });
});

describe('vague words of the request', () => {
  it('are made testable: escape clauses and "etc." dropped, vague qualities quoted with a proposed measure to confirm', async () => {
    const { evaluate } = await import('../evaluators/index');
    const spec = { title: 'Faster search', description: 'Make the product search fast and user-friendly, with filters for price, brand etc. Reset the filters as appropriate.' };
    const out = generateRequirements(spec, explore);
    expect(out.requirements[0]!.text).toBe('WHEN a client uses search, THE SYSTEM SHALL make the product search "fast" (answering within 500 ms at p95) and "user-friendly" (done in at most 3 steps), with filters for price, brand.');
    expect(out.requirements[1]!.text).toBe('WHEN a client uses search, THE SYSTEM SHALL reset the filters.');
    expect(out['notes']).toEqual(expect.arrayContaining([expect.stringMatching(/^REQ-001: "fast" is not testable as written; the plan proposes "answering within 500 ms at p95"/)]));
    expect(out.requirements.map((r) => r.title)).not.toContain('Configurable search settings'); // 500 ms is the planner's proposal, not a stated number
    const result = evaluate('requirements', out, {}, { spec });
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});
