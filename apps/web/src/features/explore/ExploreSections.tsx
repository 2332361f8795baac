import type { ReactNode } from 'react';
import { ExternalLink } from 'lucide-react';
import type { ExploreView } from './exploreView';
import type { RepoBrowser } from './repoLinks';

/** One titled part of the Explore view; `empty` is shown when it has nothing. */
export function ExploreSection({ title, empty, isEmpty, children, testId }: { title: string; empty: string; isEmpty: boolean; children: ReactNode; testId?: string }) {
  const id = `explore-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="min-w-0 rounded-lg border border-slate-200 bg-white p-4" data-testid={testId}>
      <h3 id={id} className="mb-2 text-sm font-semibold text-slate-900">
        {title}
      </h3>
      {isEmpty ? <p className="text-sm text-slate-600">{empty}</p> : children}
    </section>
  );
}

/** A repository path: a link to its place in the repository's web view when there is one, else the path. */
export function FilePath({ path, line, browse }: { path: string; line?: number | null | undefined; browse: RepoBrowser | null }) {
  const label = line ? `${path}:${line}` : path;
  const code = <code className="font-mono text-xs [overflow-wrap:anywhere]">{label}</code>;
  if (!browse) return code;
  return (
    <a href={browse(path, line ?? undefined)} target="_blank" rel="noreferrer noopener" className="inline-flex items-baseline gap-1 text-indigo-700 underline hover:text-indigo-900">
      {code}
      <ExternalLink aria-hidden className="size-3 shrink-0 self-center" />
      <span className="sr-only">(opens the file in the repository)</span>
    </a>
  );
}

function Chips({ values }: { values: string[] }) {
  return (
    <ul className="flex flex-wrap gap-1.5">
      {values.map((value) => (
        <li key={value} className="rounded-full border border-slate-300 bg-slate-50 px-2 py-0.5 text-xs text-slate-800">
          {value}
        </li>
      ))}
    </ul>
  );
}

export function StackSection({ view }: { view: ExploreView }) {
  const frameworks = view.frameworks.filter((f) => !view.techStack.includes(f));
  const empty = view.techStack.length === 0 && frameworks.length === 0 && view.manifests.length === 0;
  return (
    <ExploreSection title="Stack and frameworks" isEmpty={empty} empty="EXPLORE recognised no stack." testId="explore-stack">
      <div className="flex flex-col gap-2">
        {view.techStack.length > 0 ? <Chips values={view.techStack} /> : null}
        {frameworks.length > 0 ? (
          <div>
            <p className="mb-1 text-xs text-slate-600">Frameworks</p>
            <Chips values={frameworks} />
          </div>
        ) : null}
        {view.manifests.length > 0 ? (
          <div>
            <p className="mb-1 text-xs text-slate-600">Manifests</p>
            <ul className="flex flex-col gap-0.5 text-sm">
              {view.manifests.map((m) => (
                <li key={m.path} className="min-w-0">
                  <code className="font-mono text-xs break-all">{m.path}</code> <span className="text-slate-600">({m.kind}{m.dependencies.length ? `, ${m.dependencies.length} dependencies` : ''})</span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
    </ExploreSection>
  );
}

export function LanguagesSection({ view }: { view: ExploreView }) {
  const total = view.languages.reduce((sum, l) => sum + l.files, 0);
  return (
    <ExploreSection title="Languages" isEmpty={view.languages.length === 0} empty="No language counts in this output.">
      <ul className="flex flex-col gap-1 text-sm">
        {view.languages.map((l) => (
          <li key={l.name} className="flex items-center gap-2">
            <span className="w-28 shrink-0 truncate text-slate-800">{l.name}</span>
            <span aria-hidden className="h-2 min-w-1 rounded bg-indigo-500" style={{ width: `${total ? Math.max(2, Math.round((l.files / total) * 100)) : 0}%` }} />
            <span className="shrink-0 text-slate-600 tabular-nums">
              {l.files} {l.files === 1 ? 'file' : 'files'}
            </span>
          </li>
        ))}
      </ul>
    </ExploreSection>
  );
}

export function EntryPointsSection({ view, browse }: { view: ExploreView; browse: RepoBrowser | null }) {
  return (
    <ExploreSection title="Entry points" isEmpty={view.entryPoints.length === 0} empty="No entry points found." testId="explore-entry-points">
      <ul className="flex flex-col gap-1 text-sm">
        {view.entryPoints.map((e) => (
          <li key={`${e.path}:${e.line ?? ''}:${e.kind ?? ''}`} className="flex min-w-0 flex-wrap items-baseline gap-x-2">
            <FilePath path={e.path} line={e.line} browse={browse} />
            {e.kind ? <span className="text-xs text-slate-600">{e.kind}</span> : null}
          </li>
        ))}
      </ul>
    </ExploreSection>
  );
}

export function TestsSection({ view, browse }: { view: ExploreView; browse: RepoBrowser | null }) {
  const t = view.tests;
  return (
    <ExploreSection title="Tests" isEmpty={!t && !view.testText} empty="Nothing is known about the tests.">
      {t ? (
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm">
          <dt className="text-slate-600">Runner</dt>
          <dd>{t.runner ?? (t.runners.length ? t.runners.join(', ') : 'none found')}</dd>
          <dt className="text-slate-600">Layout</dt>
          <dd>
            {t.layout}
            {t.dirs.length ? ` (${t.dirs.join(', ')})` : ''}
          </dd>
          {t.pattern ? (
            <>
              <dt className="text-slate-600">Pattern</dt>
              <dd>
                <code className="font-mono text-xs">{t.pattern}</code>
              </dd>
            </>
          ) : null}
          <dt className="text-slate-600">Files</dt>
          <dd className="tabular-nums">{t.files}</dd>
          {t.command ? (
            <>
              <dt className="text-slate-600">Command</dt>
              <dd>
                <code className="font-mono text-xs">{t.command}</code>
              </dd>
            </>
          ) : null}
          {t.examples.length ? (
            <>
              <dt className="text-slate-600">Examples</dt>
              <dd className="flex min-w-0 flex-col gap-0.5">
                {t.examples.map((path) => (
                  <FilePath key={path} path={path} browse={browse} />
                ))}
              </dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p className="text-sm whitespace-pre-line text-slate-800">{view.testText}</p>
      )}
    </ExploreSection>
  );
}

export function RoutesSection({ view, browse }: { view: ExploreView; browse: RepoBrowser | null }) {
  return (
    <ExploreSection title={`Routes${view.routes.length ? ` (${view.routes.length})` : ''}`} isEmpty={view.routes.length === 0} empty="No HTTP routes found.">
      <ul className="flex flex-col divide-y divide-slate-100 text-sm">
        {view.routes.map((r) => (
          <li key={`${r.method} ${r.path} ${r.file}:${r.line ?? ''}`} className="flex min-w-0 flex-col gap-0.5 py-1.5 sm:flex-row sm:items-baseline sm:gap-3">
            <span className="flex min-w-0 items-baseline gap-2">
              <span className="w-14 shrink-0 font-mono text-xs font-semibold text-slate-700">{r.method.toUpperCase()}</span>
              <code className="font-mono text-xs break-all text-slate-900">{r.path}</code>
            </span>
            <span className="flex min-w-0 flex-wrap items-baseline gap-x-2 sm:ml-auto">
              {r.handler ? <span className="text-xs text-slate-600">{r.handler}</span> : null}
              <FilePath path={r.file} line={r.line} browse={browse} />
            </span>
          </li>
        ))}
      </ul>
    </ExploreSection>
  );
}

export function DataModelsSection({ view, browse }: { view: ExploreView; browse: RepoBrowser | null }) {
  return (
    <ExploreSection title={`Data models${view.dataModels.length ? ` (${view.dataModels.length})` : ''}`} isEmpty={view.dataModels.length === 0} empty="No data models found.">
      <ul className="flex flex-col gap-2 text-sm">
        {view.dataModels.map((m) => (
          <li key={`${m.name} ${m.file}:${m.line ?? ''}`} className="min-w-0">
            <div className="flex min-w-0 flex-wrap items-baseline gap-x-2">
              <span className="font-medium text-slate-900">{m.name}</span>
              {m.table ? <span className="text-xs text-slate-600">table {m.table}</span> : null}
              {m.framework ? <span className="text-xs text-slate-600">{m.framework}</span> : null}
              <FilePath path={m.file} line={m.line} browse={browse} />
            </div>
            {m.fields?.length ? <p className="mt-0.5 font-mono text-xs break-words text-slate-700">{m.fields.join(', ')}</p> : null}
          </li>
        ))}
      </ul>
    </ExploreSection>
  );
}

export function KeyFilesSection({ view, browse }: { view: ExploreView; browse: RepoBrowser | null }) {
  return (
    <ExploreSection title="Key files" isEmpty={view.keyFiles.length === 0} empty="No key files named." testId="explore-key-files">
      <dl className="grid gap-x-4 gap-y-1.5 text-sm sm:grid-cols-[minmax(0,max-content)_minmax(0,1fr)]">
        {view.keyFiles.map((f) => (
          <div key={f.path} className="contents">
            <dt className="min-w-0">
              <FilePath path={f.path} browse={browse} />
            </dt>
            <dd className="mb-1 min-w-0 text-slate-700 sm:mb-0">{f.purpose}</dd>
          </div>
        ))}
      </dl>
    </ExploreSection>
  );
}
