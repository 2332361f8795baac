/**
 * A repository URL fit to show: user names, passwords and tokens in it are dropped
 * (`https://x-access-token:ghp_…@github.com/acme/app.git` → `https://github.com/acme/app.git`).
 * scp-like addresses (`git@github.com:acme/app.git`) carry no secret and stay as they are.
 */
export function displayRepoUrl(url: string): string {
  const trimmed = url.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return trimmed;
  try {
    const parsed = new URL(trimmed);
    if (!parsed.username && !parsed.password) return trimmed;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    // Not parseable as a URL: drop anything between the scheme and an "@" in the authority.
    return trimmed.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  }
}
