/** The `?next=` target after sign-in: only a path on this site (no `//evil.example`), never the auth pages. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/projects';
  if (next.startsWith('/sign-in') || next.startsWith('/register')) return '/projects';
  return next;
}
