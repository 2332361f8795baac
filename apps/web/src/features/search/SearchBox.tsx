import type { SearchHit } from '@specline/protocol';
import { FileText, ListChecks, Search, Ticket } from 'lucide-react';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router';
import { cn } from '../../lib/cn';
import { errorMessage } from '../../lib/errors';
import { flattenResults, hitHref, isTypingTarget, SEARCH_GROUPS, SEARCH_MAX_CHARS } from './searchResults';
import { useSearch } from './useSearch';

const KIND_ICONS = { spec: FileText, requirement: ListChecks, ticket: Ticket } as const;

/**
 * The header's search box: specs, requirements and tickets of every project you can see. `/` focuses it
 * (unless you are typing in a field), ↑/↓ move through the results, Enter opens one, Escape closes the list
 * (a second Escape clears the box). Results are grouped by kind and name their project.
 */
export function SearchBox() {
  const navigate = useNavigate();
  const inputRef = useRef<HTMLInputElement>(null);
  const containerRef = useRef<HTMLDivElement>(null);
  const id = useId();
  const listId = `${id}-results`;
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  // The highlighted result belongs to one answer: a new query starts with none highlighted.
  const [highlight, setHighlight] = useState<{ q: string; index: number }>({ q: '', index: -1 });
  const search = useSearch(text);
  const hasQuery = text.trim().length > 0;
  const hits = hasQuery ? flattenResults(search.data) : [];
  const active = highlight.q === search.q && highlight.index < hits.length ? highlight.index : -1;
  const showList = open && hasQuery;

  useEffect(() => {
    function onKey(event: globalThis.KeyboardEvent) {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      // Not while typing in a field, nor behind an open dialog (its focus trap owns the keyboard).
      if (isTypingTarget(event.target) || document.querySelector('[role="dialog"], [role="alertdialog"]')) return;
      event.preventDefault();
      inputRef.current?.focus();
      inputRef.current?.select();
      setOpen(true);
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  function openHit(hit: SearchHit) {
    setOpen(false);
    setText('');
    inputRef.current?.blur();
    void navigate(hitHref(hit));
  }

  function move(by: number) {
    if (hits.length === 0) return;
    setOpen(true);
    const next = active < 0 ? (by > 0 ? 0 : hits.length - 1) : (active + by + hits.length) % hits.length;
    setHighlight({ q: search.q, index: next });
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        move(1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        move(-1);
        break;
      case 'Enter': {
        const hit = hits[active >= 0 ? active : 0];
        if (hit && search.settled) {
          event.preventDefault();
          openHit(hit);
        }
        break;
      }
      case 'Escape':
        event.preventDefault();
        if (showList) setOpen(false);
        else {
          setText('');
          inputRef.current?.blur();
        }
        break;
      default:
        break;
    }
  }

  let status: string;
  if (!hasQuery) status = '';
  else if (search.isError) status = `Search failed: ${errorMessage(search.error)}`;
  else if (!search.data || !search.settled) status = 'Searching…';
  else if (hits.length === 0) status = `No specs, requirements or tickets match “${search.q}”.`;
  else status = `${hits.length} result${hits.length === 1 ? '' : 's'}: use the arrow keys and Enter to open one.`;

  const activeHit = active >= 0 ? hits[active] : undefined;
  let position = 0;
  return (
    <div
      ref={containerRef}
      className="relative min-w-0 flex-1 sm:max-w-xs"
      onBlur={(event) => {
        if (!containerRef.current?.contains(event.relatedTarget)) setOpen(false);
      }}
    >
      <label htmlFor={`${id}-input`} className="sr-only">
        Search specs, requirements and tickets
      </label>
      <div className="relative">
        <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2 size-4 -translate-y-1/2 text-slate-500" />
        <input
          ref={inputRef}
          id={`${id}-input`}
          type="search"
          role="combobox"
          aria-expanded={showList}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeHit ? `${id}-hit-${active}` : undefined}
          aria-describedby={`${id}-hint`}
          autoComplete="off"
          spellCheck={false}
          maxLength={SEARCH_MAX_CHARS}
          placeholder="Search"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onKeyDown={onKeyDown}
          className="h-8 w-full min-w-0 rounded-md border border-slate-300 bg-white pr-8 pl-8 text-sm text-slate-900 placeholder:text-slate-500 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-600 [&::-webkit-search-cancel-button]:hidden"
        />
        <kbd aria-hidden className="pointer-events-none absolute hidden sm:block top-1/2 right-2 -translate-y-1/2 rounded border border-slate-300 px-1 font-mono text-xs text-slate-500">
          /
        </kbd>
      </div>
      <span id={`${id}-hint`} className="sr-only">
        Press slash to come here from anywhere. Arrow keys move through the results, Enter opens one, Escape closes them.
      </span>
      <p aria-live="polite" className="sr-only">
        {showList ? status : ''}
      </p>
      <div
        id={listId}
        role="listbox"
        aria-label="Search results"
        hidden={!showList}
        className="fixed inset-x-2 top-14 z-50 max-h-[70vh] overflow-y-auto rounded-md border border-slate-200 bg-white p-1 shadow-lg md:absolute md:inset-x-auto md:top-full md:left-0 md:mt-1 md:w-[28rem]"
      >
        {showList && hits.length === 0 ? <p className="px-2 py-3 text-sm text-slate-600">{status}</p> : null}
        {showList
          ? SEARCH_GROUPS.map((group) => {
              const groupHits = search.data?.[group.key] ?? [];
              if (groupHits.length === 0) return null;
              return (
                <div key={group.kind} role="group" aria-labelledby={`${id}-group-${group.kind}`} className="py-1">
                  <div id={`${id}-group-${group.kind}`} className="px-2 py-1 text-xs font-semibold tracking-wide text-slate-600 uppercase">
                    {group.label}
                  </div>
                  {groupHits.map((hit) => {
                    const index = position++;
                    const Icon = KIND_ICONS[hit.kind];
                    return (
                      <div
                        key={hit.id}
                        id={`${id}-hit-${index}`}
                        role="option"
                        aria-selected={index === active}
                        data-kind={hit.kind}
                        // Keep the focus in the box: the click then opens the result.
                        onMouseDown={(event) => event.preventDefault()}
                        onClick={() => openHit(hit)}
                        onMouseMove={() => index !== active && setHighlight({ q: search.q, index })}
                        className={cn('flex cursor-pointer gap-2 rounded px-2 py-1.5 text-sm', index === active ? 'bg-indigo-50 ring-1 ring-indigo-600' : 'hover:bg-slate-50')}
                      >
                        <Icon aria-hidden className="mt-0.5 size-4 shrink-0 text-slate-500" />
                        <span className="min-w-0 flex-1">
                          <span className="flex min-w-0 items-baseline gap-1.5">
                            {hit.local_id ? <span className="shrink-0 font-mono text-xs text-slate-600">{hit.local_id}</span> : null}
                            <span className="truncate font-medium text-slate-900">{hit.title}</span>
                            {hit.archived ? <span className="shrink-0 text-xs text-slate-600">(archived)</span> : null}
                          </span>
                          {hit.snippet && hit.snippet !== hit.title ? <span className="block truncate text-xs text-slate-600">{hit.snippet}</span> : null}
                          <span className="block truncate text-xs text-slate-500">{hit.project_name}</span>
                        </span>
                      </div>
                    );
                  })}
                </div>
              );
            })
          : null}
      </div>
    </div>
  );
}
