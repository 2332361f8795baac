import * as RadixTabs from '@radix-ui/react-tabs';
import type { ReactNode } from 'react';
import { cn } from '../../lib/cn';

export const Tabs = RadixTabs.Root;

export function TabsList({ label, children }: { label: string; children: ReactNode }) {
  return (
    // Too many tabs for the width: they wrap onto a second line (and the bar scrolls inside itself, never the page).
    <RadixTabs.List aria-label={label} className="flex max-w-full flex-wrap gap-x-1 overflow-x-auto overflow-y-hidden shadow-[inset_0_-1px_0_0_var(--color-slate-200)] [scrollbar-width:thin]">
      {children}
    </RadixTabs.List>
  );
}

export function TabsTrigger({ value, children }: { value: string; children: ReactNode }) {
  return (
    <RadixTabs.Trigger
      value={value}
      className={cn(
        'inline-flex shrink-0 items-center gap-1.5 border-b-2 whitespace-nowrap border-transparent px-3 py-2 text-sm font-medium text-slate-600 hover:text-slate-900',
        'focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600 data-[state=active]:border-indigo-600 data-[state=active]:text-indigo-700',
      )}
    >
      {children}
    </RadixTabs.Trigger>
  );
}

export function TabsContent({ value, children }: { value: string; children: ReactNode }) {
  return (
    <RadixTabs.Content value={value} className="mt-4 rounded-sm focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-indigo-600">
      {children}
    </RadixTabs.Content>
  );
}
