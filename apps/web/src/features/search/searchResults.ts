import type { SearchHit, SearchKind, SearchResults } from '@specline/protocol';

/** The groups of the result list, in the order they are shown. */
export const SEARCH_GROUPS: { kind: SearchKind; key: 'specs' | 'requirements' | 'tickets'; label: string }[] = [
  { kind: 'spec', key: 'specs', label: 'Specs' },
  { kind: 'requirement', key: 'requirements', label: 'Requirements' },
  { kind: 'ticket', key: 'tickets', label: 'Tickets' },
];

/** Every hit in display order (the arrow keys walk this list). */
export function flattenResults(results: SearchResults | undefined): SearchHit[] {
  if (!results) return [];
  return SEARCH_GROUPS.flatMap((group) => results[group.key]);
}

/** Where a hit opens: the spec, the spec's Requirements tab (scrolled to the requirement), or the ticket page. */
export function hitHref(hit: SearchHit): string {
  const project = `/projects/${encodeURIComponent(hit.project_id)}`;
  switch (hit.kind) {
    case 'spec':
      return `${project}/specs/${encodeURIComponent(hit.id)}`;
    case 'requirement':
      return hit.spec_id ? `${project}/specs/${encodeURIComponent(hit.spec_id)}?tab=requirements#requirement-${encodeURIComponent(hit.id)}` : project;
    case 'ticket':
      return `${project}/tickets/${encodeURIComponent(hit.id)}`;
  }
}

/** True when a key press belongs to a field the user is typing in (then `/` types a slash). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(type);
}

export const SEARCH_MAX_CHARS = 200;
