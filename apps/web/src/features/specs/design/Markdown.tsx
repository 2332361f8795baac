import type { Element } from 'hast';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { MermaidDiagram } from './MermaidDiagram';

function textOf(node: Element): string {
  return node.children.map((child) => (child.type === 'text' ? child.value : child.type === 'element' ? textOf(child) : '')).join('');
}

/** The ```mermaid code block inside a `<pre>`, if that is what it holds. */
function mermaidSource(pre: Element | undefined): string | undefined {
  const code = pre?.children.find((child): child is Element => child.type === 'element' && child.tagName === 'code');
  const classes = code?.properties.className;
  const isMermaid = Array.isArray(classes) && classes.includes('language-mermaid');
  return code && isMermaid ? textOf(code).replace(/\n$/, '') : undefined;
}

const components: Components = {
  pre({ node, children, ...rest }) {
    const source = mermaidSource(node);
    if (source !== undefined) return <MermaidDiagram code={source} />;
    return (
      <pre {...rest} className="overflow-x-auto rounded-md border border-slate-200 bg-slate-100 p-3 text-sm text-slate-900">
        {children}
      </pre>
    );
  },
  a({ node: _node, ...rest }) {
    return <a {...rest} target="_blank" rel="noreferrer noopener" className="text-indigo-700 underline" />;
  },
  table({ node: _node, ...rest }) {
    return (
      <div className="overflow-x-auto">
        <table {...rest} className="w-full border-collapse text-sm [&_td]:border [&_td]:border-slate-200 [&_td]:px-2 [&_td]:py-1 [&_th]:border [&_th]:border-slate-200 [&_th]:bg-slate-50 [&_th]:px-2 [&_th]:py-1" />
      </div>
    );
  },
};

/**
 * Markdown from a run (untrusted): GitHub-flavoured, raw HTML is not rendered (no rehype-raw),
 * ```mermaid blocks become diagrams.
 */
export function Markdown({ children }: { children: string }) {
  return (
    <div className="prose-sm max-w-none space-y-2 text-sm leading-relaxed text-slate-800 [&_code]:rounded [&_code]:bg-slate-100 [&_code]:px-1 [&_h1]:text-lg [&_h1]:font-semibold [&_h2]:text-base [&_h2]:font-semibold [&_h3]:font-semibold [&_li]:ml-5 [&_ol]:list-decimal [&_pre_code]:bg-transparent [&_pre_code]:p-0 [&_ul]:list-disc">
      <ReactMarkdown remarkPlugins={[remarkGfm]} skipHtml components={components}>
        {children}
      </ReactMarkdown>
    </div>
  );
}
