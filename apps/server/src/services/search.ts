/**
 * `GET /search` (issue 15): specs, requirements and tickets whose text holds every word of the query,
 * across the projects the caller is a member of. Plain `ILIKE '%word%'` with `%`, `_` and `\` escaped,
 * which PGlite and PostgreSQL 15 run alike; each kind is one query joined to the caller's memberships, so
 * another tenant's rows are never read. Title matches come first, then the most recently updated.
 */
import type { SearchHit, SearchKind, SearchResults } from '@specline/protocol';
import { and, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Queryable } from '../store/db';
import { projectMembers, projects, specRequirements, specs, tickets } from '../store/schema';
import { iso } from './dto';

/** At most this many words are matched; the rest of a long query is ignored. */
export const MAX_TERMS = 8;
const SNIPPET_CHARS = 160;

/** The words of a query (split on white space), lower-cased and deduplicated. */
export function searchTerms(q: string): string[] {
  const words = q.trim().toLowerCase().split(/\s+/u).filter((w) => w.length > 0);
  return [...new Set(words)].slice(0, MAX_TERMS);
}

/** A LIKE pattern that matches `term` literally anywhere (`%`, `_` and the escape `\` escaped). */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/gu, (c) => `\\${c}`)}%`;
}

/** Every term appears in at least one of the columns. */
function allTermsIn(terms: string[], columns: AnyPgColumn[]): SQL {
  const perTerm = terms.map((t) => or(...columns.map((c) => ilike(c, containsPattern(t))))!);
  return and(...perTerm)!;
}

/** 0 when every term is in the title (ranked first), else 1. */
function titleRank(terms: string[], title: AnyPgColumn): SQL<number> {
  return sql<number>`case when ${and(...terms.map((t) => ilike(title, containsPattern(t))))} then 0 else 1 end`;
}

/** A short plain-text excerpt of the first text that holds a term, around that term. */
export function snippetOf(texts: string[], terms: string[]): string {
  for (const text of texts) {
    const flat = text.replace(/\s+/gu, ' ').trim();
    const lower = flat.toLowerCase();
    const at = terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0);
    if (at.length === 0) continue;
    const first = Math.min(...at);
    const start = Math.max(0, first - 40);
    const end = Math.min(flat.length, start + SNIPPET_CHARS);
    return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
  }
  const fallback = (texts[0] ?? '').replace(/\s+/gu, ' ').trim();
  return fallback.length > SNIPPET_CHARS ? `${fallback.slice(0, SNIPPET_CHARS)}…` : fallback;
}

function hit(kind: SearchKind, fields: Omit<SearchHit, 'kind' | 'updated_at'> & { updatedAt: Date }): SearchHit {
  const { updatedAt, ...rest } = fields;
  return { kind, ...rest, updated_at: iso(updatedAt) };
}

export async function search(db: Queryable, userId: string, query: { q: string; limit: number }): Promise<SearchResults> {
  const terms = searchTerms(query.q);
  const limit = query.limit;
  const member = and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, userId));

  const specRows = await db
    .select({ spec: specs, projectName: projects.name })
    .from(specs)
    .innerJoin(projects, eq(projects.id, specs.projectId))
    .innerJoin(projectMembers, member)
    .where(allTermsIn(terms, [specs.title, specs.description]))
    .orderBy(titleRank(terms, specs.title), desc(specs.updatedAt), specs.id)
    .limit(limit);

  const requirementRows = await db
    .select({ req: specRequirements, spec: { id: specs.id, archived: specs.archived, projectId: specs.projectId }, projectName: projects.name })
    .from(specRequirements)
    .innerJoin(specs, eq(specs.id, specRequirements.specId))
    .innerJoin(projects, eq(projects.id, specs.projectId))
    .innerJoin(projectMembers, member)
    .where(allTermsIn(terms, [specRequirements.title, specRequirements.condition, specRequirements.action, specRequirements.text, specRequirements.localId]))
    .orderBy(titleRank(terms, specRequirements.title), desc(specRequirements.updatedAt), specRequirements.id)
    .limit(limit);

  const ticketRows = await db
    .select({ ticket: tickets, projectName: projects.name })
    .from(tickets)
    .innerJoin(projects, eq(projects.id, tickets.projectId))
    .innerJoin(projectMembers, member)
    .where(allTermsIn(terms, [tickets.title, tickets.description, tickets.localId]))
    .orderBy(titleRank(terms, tickets.title), desc(tickets.updatedAt), tickets.id)
    .limit(limit);

  return {
    query: query.q,
    specs: specRows.map(({ spec, projectName }) =>
      hit('spec', {
        id: spec.id,
        local_id: null,
        title: spec.title,
        snippet: snippetOf([spec.description, spec.title], terms),
        status: spec.status,
        project_id: spec.projectId,
        project_name: projectName,
        spec_id: spec.id,
        archived: spec.archived,
        updatedAt: spec.updatedAt,
      }),
    ),
    requirements: requirementRows.map(({ req, spec, projectName }) =>
      hit('requirement', {
        id: req.id,
        local_id: req.localId,
        title: req.title,
        snippet: snippetOf([req.text, [req.condition, req.action].filter(Boolean).join(' '), req.title], terms),
        status: req.status,
        project_id: spec.projectId,
        project_name: projectName,
        spec_id: spec.id,
        archived: spec.archived,
        updatedAt: req.updatedAt,
      }),
    ),
    tickets: ticketRows.map(({ ticket, projectName }) =>
      hit('ticket', {
        id: ticket.id,
        local_id: ticket.localId,
        title: ticket.title,
        snippet: snippetOf([ticket.description, ticket.title], terms),
        status: ticket.status,
        project_id: ticket.projectId,
        project_name: projectName,
        spec_id: ticket.specId,
        archived: false,
        updatedAt: ticket.updatedAt,
      }),
    ),
  };
}
