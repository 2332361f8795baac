/**
 * Links from EXPLORE's file paths to their place in the connected repository's web view, for
 * GitHub-, GitLab- and Bitbucket-style https (or scp-like `git@host:owner/repo.git`) URLs. A local path,
 * a `file://` URL or an unknown host has no web view: the path is shown without a link.
 */
export type RepoBrowser = (path: string, line?: number) => string;

type Style = 'github' | 'gitlab' | 'bitbucket';

function styleOf(host: string): Style | null {
  const h = host.toLowerCase();
  if (h === 'github.com' || h.includes('github')) return 'github';
  if (h === 'gitlab.com' || h.includes('gitlab')) return 'gitlab';
  if (h === 'bitbucket.org') return 'bitbucket';
  return null;
}

/** `https://host/owner/repo` (credentials, `.git` and a trailing slash dropped), or null when there is no web view. */
export function repoWebBase(repoUrl: string | null | undefined): { base: string; style: Style } | null {
  if (!repoUrl) return null;
  const trimmed = repoUrl.trim();
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+)$/.exec(trimmed);
  let host: string;
  let path: string;
  if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return null;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:' && url.protocol !== 'ssh:') return null;
    host = url.hostname;
    path = url.pathname;
  }
  const style = styleOf(host);
  const clean = path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  if (!style || !clean.includes('/')) return null;
  return { base: `https://${host}/${clean}`, style };
}

const encodePath = (path: string) => path.replace(/^\.?\/+/, '').split('/').map(encodeURIComponent).join('/');

/** A function from a file path (and line) to its URL at `revision`, or null when the repository has no web view. */
export function repoBrowser(repoUrl: string | null | undefined, revision: string | null | undefined): RepoBrowser | null {
  const web = repoWebBase(repoUrl);
  if (!web) return null;
  const rev = encodeURIComponent(revision?.trim() || 'HEAD');
  return (path, line) => {
    const file = encodePath(path);
    switch (web.style) {
      case 'github':
        return `${web.base}/blob/${rev}/${file}${line ? `#L${line}` : ''}`;
      case 'gitlab':
        return `${web.base}/-/blob/${rev}/${file}${line ? `#L${line}` : ''}`;
      case 'bitbucket':
        return `${web.base}/src/${rev}/${file}${line ? `#lines-${line}` : ''}`;
    }
  };
}
