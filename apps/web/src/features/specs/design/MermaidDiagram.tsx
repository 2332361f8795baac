import DOMPurify from 'dompurify';
import type Mermaid from 'mermaid';
import { useEffect, useId, useState } from 'react';
import { errorMessage } from '../../../lib/errors';
import { useResolvedTheme, type ResolvedTheme } from '../../../lib/theme';

type MermaidApi = typeof Mermaid;
let mermaidPromise: Promise<MermaidApi> | undefined;

/**
 * Loads mermaid on first use (it is large) and configures it for the page's theme: strict security, SVG
 * text labels, the dark theme in dark mode.
 */
async function loadMermaid(theme: ResolvedTheme): Promise<MermaidApi> {
  mermaidPromise ??= import('mermaid').then(({ default: mermaid }) => mermaid);
  const mermaid = await mermaidPromise;
  // htmlLabels off: labels become SVG <text>, which the SVG sanitiser keeps (it drops <foreignObject>).
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', htmlLabels: false, theme: theme === 'dark' ? 'dark' : 'neutral' });
  return mermaid;
}

/** Agent text is untrusted: the rendered SVG goes through DOMPurify (SVG profile) before it touches the DOM. */
export function sanitizeSvg(svg: string): string {
  return DOMPurify.sanitize(svg, { USE_PROFILES: { svg: true, svgFilters: true } });
}

type State = { status: 'loading' } | { status: 'ready'; svg: string } | { status: 'error'; message: string };

/** A Mermaid diagram from source text; on a syntax error it shows the error and the source. */
export function MermaidDiagram({ code, title = 'Diagram' }: { code: string; title?: string }) {
  const reactId = useId();
  const [state, setState] = useState<State>({ status: 'loading' });
  const theme = useResolvedTheme();

  useEffect(() => {
    let cancelled = false;
    setState({ status: 'loading' });
    const renderId = `mermaid-${reactId.replace(/[^a-zA-Z0-9_-]/g, '')}`;
    loadMermaid(theme)
      .then((mermaid) => mermaid.render(renderId, code))
      .then(({ svg }) => {
        if (!cancelled) setState({ status: 'ready', svg: sanitizeSvg(svg) });
      })
      .catch((error: unknown) => {
        document.getElementById(`d${renderId}`)?.remove(); // mermaid leaves its scratch element behind on errors
        if (!cancelled) setState({ status: 'error', message: errorMessage(error) });
      });
    return () => {
      cancelled = true;
    };
  }, [code, reactId, theme]);

  return (
    <figure className="my-3 overflow-x-auto rounded-md border border-slate-200 bg-white p-3">
      {state.status === 'loading' ? (
        <p role="status" className="text-sm text-slate-500">
          Rendering diagram…
        </p>
      ) : state.status === 'error' ? (
        <div role="alert" className="text-sm text-red-800">
          The diagram could not be rendered: {state.message}
        </div>
      ) : (
        <div role="img" aria-label={title} className="[&_svg]:mx-auto [&_svg]:h-auto [&_svg]:max-w-full" dangerouslySetInnerHTML={{ __html: state.svg }} />
      )}
      <details className="mt-2 text-xs text-slate-500" open={state.status === 'error'}>
        <summary className="cursor-pointer">Diagram source</summary>
        <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-2 text-slate-700">{code}</pre>
      </details>
    </figure>
  );
}
