import { FileStack } from 'lucide-react';
import type { ReactNode } from 'react';
import { useDocumentTitle } from '../../lib/useDocumentTitle';

export function AuthLayout({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  useDocumentTitle(title);
  return (
    <main id="main" className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <p className="mb-4 flex items-center gap-2 font-semibold text-slate-900">
          <FileStack aria-hidden className="size-5 text-indigo-600" /> Specline
        </p>
        <h1 className="mb-4 text-xl font-semibold">{title}</h1>
        {children}
        <p className="mt-4 text-sm text-slate-600">{footer}</p>
      </div>
    </main>
  );
}
