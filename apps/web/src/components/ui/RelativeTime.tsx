import { formatFull, formatRelative } from '../../lib/format';

/** A `<time>` shown relative to now ("3 min ago"), with the full date and time as its title. */
export function RelativeTime({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatFull(iso)}>
      {formatRelative(iso)}
    </time>
  );
}
