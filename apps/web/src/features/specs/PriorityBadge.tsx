import type { Priority } from '@specline/protocol';
import { Badge, type Tone } from '../../components/ui/Badge';

const tones: Record<Priority, Tone> = { low: 'neutral', medium: 'info', high: 'warning', critical: 'danger' };

export function PriorityBadge({ priority }: { priority: Priority }) {
  return <Badge tone={tones[priority]}>{priority[0]?.toUpperCase() + priority.slice(1)}</Badge>;
}

export const PRIORITY_OPTIONS = [
  { value: 'low', label: 'Low' },
  { value: 'medium', label: 'Medium' },
  { value: 'high', label: 'High' },
  { value: 'critical', label: 'Critical' },
] as const satisfies readonly { value: Priority; label: string }[];
