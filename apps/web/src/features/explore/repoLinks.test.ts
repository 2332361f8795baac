import { describe, expect, it } from 'vitest';
import { repoBrowser, repoWebBase } from './repoLinks';

describe('repository links', () => {
  it('links GitHub files at the explored commit, with the line', () => {
    const link = repoBrowser('https://github.com/acme/shop.git', 'abc123');
    expect(link?.('src/app.ts', 12)).toBe('https://github.com/acme/shop/blob/abc123/src/app.ts#L12');
    expect(link?.('./docs/read me.md')).toBe('https://github.com/acme/shop/blob/abc123/docs/read%20me.md');
  });

  it('drops credentials and knows GitLab (subgroups), Bitbucket and scp-like URLs', () => {
    expect(repoWebBase('https://x-access-token:ghp_secret@github.com/acme/shop')).toEqual({ base: 'https://github.com/acme/shop', style: 'github' });
    expect(repoBrowser('https://gitlab.com/group/sub/app.git', 'main')?.('a.py', 3)).toBe('https://gitlab.com/group/sub/app/-/blob/main/a.py#L3');
    expect(repoBrowser('https://bitbucket.org/team/app', null)?.('a.py', 3)).toBe('https://bitbucket.org/team/app/src/HEAD/a.py#lines-3');
    expect(repoBrowser('git@github.com:acme/shop.git', 'c0ffee')?.('x.go')).toBe('https://github.com/acme/shop/blob/c0ffee/x.go');
  });

  it('has no link for local paths, file URLs or unknown hosts', () => {
    expect(repoBrowser('/srv/repos/bookshop', 'abc')).toBeNull();
    expect(repoBrowser('file:///srv/repos/bookshop', 'abc')).toBeNull();
    expect(repoBrowser('https://git.example.com/acme/shop.git', 'abc')).toBeNull();
    expect(repoBrowser(null, 'abc')).toBeNull();
    expect(repoBrowser('https://github.com/', 'abc')).toBeNull();
  });
});
