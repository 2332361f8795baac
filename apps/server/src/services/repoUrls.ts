/**
 * Repository URLs of projects: which ones the server accepts, and how they are shown.
 *
 * Accepted: a local absolute path or `file://` URL whose real path is under one of the allowed roots
 * (`SPECLINE_REPO_ROOTS`, plus the demo's example directory); remote `http(s)://`, `ssh://`, `git://`
 * URLs and scp-like `user@host:path`, unless remote repositories are off. Refused: git's
 * `<transport>::<address>` remote helpers (`ext::` runs a command), every other scheme, and anything
 * that looks like an option (`-…`) — a value git could read as a flag.
 *
 * Credentials in a URL (`https://user:token@host/…`) are kept for cloning but never shown: every URL
 * the server logs, stores in `last_error` or answers with goes through `redactUrl` / `redactCredentials`.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../http/errors';

export interface RepoPolicy {
  /** Absolute directories; local repositories must resolve under one of them. */
  roots: string[];
  allowRemote: boolean;
}

export type CheckedRepo =
  /** `path`: the real path of the local repository (what git is given). */
  | { kind: 'local'; path: string; url: string }
  | { kind: 'remote'; url: string };

const REMOTE_SCHEMES = new Set(['http', 'https', 'ssh', 'git', 'git+ssh', 'ssh+git']);
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
/** git's scp-like syntax: `[user@]host:path`, with no slash before the colon. */
const SCP_LIKE = /^(?:([^@/\s]+)@)?([^:/\s]+):(.*)$/;
// Userinfo of a URL inside any text: `scheme://user[:password]@`.
const USERINFO_IN_TEXT = /\b([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/\s@]+@/g;

function refuse(message: string): AppError {
  return new AppError('repo_not_allowed', `repo_url is not allowed: ${message}`, { errors: [{ path: 'body.repo_url', message }] });
}

function invalid(field: 'repo_url' | 'repo_ref', message: string): AppError {
  return new AppError('validation_failed', `invalid ${field}: ${message}`, { errors: [{ path: `body.${field}`, message }] });
}

/** Replaces the userinfo of every URL in `text` with `***`. */
export function redactCredentials(text: string): string {
  return text.replace(USERINFO_IN_TEXT, '$1***@');
}

/** A repository URL as it may be shown: credentials (`user:token@`) become `***@`; scp-like URLs are shown as they are. */
export function redactUrl(url: string): string {
  return redactCredentials(url);
}

export function isUnder(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realRoots(roots: string[]): string[] {
  return roots.map((root) => {
    try {
      return realpathSync(root);
    } catch {
      return path.resolve(root);
    }
  });
}

function checkLocal(raw: string, localPath: string, policy: RepoPolicy): CheckedRepo {
  if (!path.isAbsolute(localPath)) throw refuse('a local repository must be an absolute path or a file:// URL');
  const resolved = path.resolve(localPath);
  const roots = policy.roots.map((r) => path.resolve(r));
  const allRoots = [...roots, ...realRoots(roots)];
  // The roots themselves are not listed: they would show the server's directory layout to any signed-in user.
  const rootsText = 'local repositories must sit under a directory the server operator lists in SPECLINE_REPO_ROOTS';
  // Lexically outside every root: refused before touching the file system (no probing of other paths).
  if (!allRoots.some((root) => isUnder(root, resolved))) throw refuse(`${resolved} is not under an allowed root; ${rootsText}`);
  let real: string;
  try {
    real = realpathSync(resolved);
  } catch {
    throw invalid('repo_url', `${resolved} does not exist`);
  }
  // A symlink inside a root may point anywhere: the real path must be under a real root too.
  if (!realRoots(roots).some((root) => isUnder(root, real))) throw refuse(`${resolved} resolves (through a symbolic link) to a place that is not under an allowed root; ${rootsText}`);
  return { kind: 'local', path: real, url: raw };
}

/**
 * Checks a repository URL against the policy. Throws `repo_not_allowed` (422) for a URL the server
 * will not clone, `validation_failed` (422) for one that cannot be a repository at all.
 */
export function checkRepoUrl(input: string, policy: RepoPolicy): CheckedRepo {
  const raw = input.trim();
  if (raw === '') throw invalid('repo_url', 'must not be empty');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw invalid('repo_url', 'must not contain control characters');
  if (raw.startsWith('-')) throw refuse('a value starting with "-" would be read by git as an option');
  const scheme = SCHEME.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined && /^[A-Za-z][A-Za-z0-9+.-]*::/.test(raw)) {
    throw refuse('git remote helpers (<transport>::<address>, such as ext::) are not allowed: they can run commands');
  }
  if (scheme === 'file') {
    let local: string;
    try {
      local = fileURLToPath(raw);
    } catch {
      throw invalid('repo_url', 'not a valid file:// URL (expected file:///absolute/path)');
    }
    return checkLocal(raw, local, policy);
  }
  if (scheme !== undefined) {
    if (!REMOTE_SCHEMES.has(scheme)) throw refuse(`the ${scheme}:// transport is not allowed (use https, ssh, git or file)`);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalid('repo_url', `not a valid ${scheme} URL`);
    }
    if (url.hostname === '' || url.hostname.startsWith('-')) throw refuse('the URL needs a host name that does not start with "-"');
    if (!policy.allowRemote) throw refuse('remote repositories are turned off on this server (SPECLINE_ALLOW_REMOTE_REPOS=0)');
    return { kind: 'remote', url: raw };
  }
  if (path.isAbsolute(raw)) return checkLocal(raw, raw, policy);
  const scp = SCP_LIKE.exec(raw);
  if (scp) {
    const host = scp[2] ?? '';
    if (host.startsWith('-') || (scp[1] ?? '').startsWith('-')) throw refuse('the host name must not start with "-"');
    if (!policy.allowRemote) throw refuse('remote repositories are turned off on this server (SPECLINE_ALLOW_REMOTE_REPOS=0)');
    return { kind: 'remote', url: raw };
  }
  throw refuse('expected an absolute path, a file:// URL, or an https://, ssh://, git:// or user@host:path URL');
}

/** Branch, tag or commit: what `git rev-parse` may be given without being read as an option or a range. */
export function checkRepoRef(input: string): string {
  const ref = input.trim();
  const bad = (message: string) => invalid('repo_ref', message);
  if (ref.startsWith('-')) throw bad('must not start with "-"');
  if (!/^[A-Za-z0-9._/+-]+$/.test(ref)) throw bad('only letters, digits and . _ / + - are allowed (a branch, a tag or a commit)');
  if (ref.includes('..') || ref.includes('//') || ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock') || ref.startsWith('/')) {
    throw bad('not a valid branch, tag or commit name');
  }
  return ref;
}

/** Where the demo's example repositories are made (`services/demoRepo.ts`): always an allowed root. */
export const examplesDir = (dataDir: string) => path.join(dataDir, 'examples');

/** The server's policy: `SPECLINE_REPO_ROOTS` plus the example directory, the remote switch, the git timeout. */
export function repoPolicyOf(config: { dataDir: string; repos: { roots: string[]; allowRemote: boolean; gitTimeoutSeconds: number } }): RepoPolicy & { gitTimeoutSeconds: number } {
  return { roots: [...config.repos.roots, examplesDir(config.dataDir)], allowRemote: config.repos.allowRemote, gitTimeoutSeconds: config.repos.gitTimeoutSeconds };
}
