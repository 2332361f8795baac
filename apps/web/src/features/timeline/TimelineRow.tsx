import { memo, useEffect, useState } from 'react';
import { Check, ChevronRight, Copy } from 'lucide-react';
import type { StoredEvent } from '@specline/protocol';
import { cn } from '../../lib/cn';
import { formatFull } from '../../lib/format';
import { PHASE_INFO } from '../phases/phaseSteps';
import { eventLook, TONE_CLASSES } from './eventMeta';
import { summarizeEvent } from './summarizeEvent';

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

export function formatTimeOfDay(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeOfDay.format(date);
}

/** The JSON a row expands to: what the event says, in a stable key order (errors first when there are any). */
export function prettyEvent(event: StoredEvent): string {
  const { event_data: data, ...envelope } = event;
  const first = ['error', 'reason', 'eval_feedback', 'failed_phase'].filter((k) => k in data);
  const ordered: Record<string, unknown> = {};
  for (const key of first) ordered[key] = data[key];
  for (const [key, value] of Object.entries(data)) if (!(key in ordered)) ordered[key] = value;
  return JSON.stringify({ ...envelope, event_data: ordered }, null, 2);
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState<'idle' | 'done' | 'failed'>('idle');
  useEffect(() => {
    if (copied === 'idle') return undefined;
    const timer = setTimeout(() => setCopied('idle'), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = () => {
    const clipboard = typeof navigator !== 'undefined' ? navigator.clipboard : undefined;
    if (!clipboard) return setCopied('failed');
    clipboard.writeText(text).then(
      () => setCopied('done'),
      () => setCopied('failed'),
    );
  };
  return (
    <button
      type="button"
      onClick={copy}
      className="inline-flex items-center gap-1 rounded border border-slate-300 bg-white px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-500"
    >
      {copied === 'done' ? <Check aria-hidden="true" className="h-3 w-3" /> : <Copy aria-hidden="true" className="h-3 w-3" />}
      {copied === 'done' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy JSON'}
    </button>
  );
}

export interface TimelineRowProps {
  event: StoredEvent;
  expanded: boolean;
  onToggle: (seq: number) => void;
}

/** One event: icon, label, summary, phase badge, spec_seq and time; expands to its JSON. */
export const TimelineRow = memo(function TimelineRow({ event, expanded, onToggle }: TimelineRowProps) {
  const look = eventLook(event);
  const tone = TONE_CLASSES[look.tone];
  const Icon = look.icon;
  const summary = summarizeEvent(event);
  const detailsId = `event-json-${event.spec_seq}`;
  const phase = event.phase ? (PHASE_INFO[event.phase]?.label ?? event.phase) : null;
  return (
    <div data-testid="timeline-row" data-shortcut-item data-spec-seq={event.spec_seq} data-event-type={event.event_type} data-tool={look.tool} className="border-b border-slate-100 px-3 py-2">
      <div className="flex items-start gap-2">
        <button
          type="button"
          onClick={() => onToggle(event.spec_seq)}
          aria-expanded={expanded}
          aria-controls={expanded ? detailsId : undefined}
          aria-label={`${expanded ? 'Hide' : 'Show'} details of event ${event.spec_seq}: ${look.label}`}
          className="mt-0.5 rounded p-0.5 text-slate-500 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-500"
        >
          <ChevronRight aria-hidden="true" className={cn('h-4 w-4 motion-safe:transition-transform', expanded && 'rotate-90')} />
        </button>
        <Icon aria-hidden="true" className={cn('mt-0.5 h-4 w-4 shrink-0', tone.icon)} />
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-0.5">
            <span className={cn('rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset', tone.badge)}>{look.label}</span>
            {phase && <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">{phase}</span>}
            <span className="ml-auto flex items-center gap-2 text-xs text-slate-500">
              <span title={`spec_seq ${event.spec_seq}`}>#{event.spec_seq}</span>
              <time dateTime={event.emitted_at} title={formatFull(event.emitted_at)}>
                {formatTimeOfDay(event.emitted_at)}
              </time>
            </span>
          </div>
          {summary && <p className={cn('mt-0.5 text-slate-800', look.tool ? 'font-mono text-xs' : 'text-sm', expanded ? 'whitespace-pre-wrap break-words' : 'truncate')}>{summary}</p>}
        </div>
      </div>
      {expanded && (
        <div id={detailsId} className="mt-2 pl-8">
          <div className="mb-1 flex items-center gap-2 text-xs text-slate-500">
            <span>{event.event_type}</span>
            <span>· {event.source}</span>
            <span>· received {formatFull(event.created_at)}</span>
            <span className="ml-auto">
              <CopyButton text={prettyEvent(event)} />
            </span>
          </div>
          <pre className="max-h-96 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{prettyEvent(event)}</pre>
        </div>
      )}
    </div>
  );
});
