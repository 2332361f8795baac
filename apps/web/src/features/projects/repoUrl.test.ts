import { describe, expect, it } from 'vitest';
import { displayRepoUrl } from './repoUrl';

describe('displayRepoUrl', () => {
  it('drops user names, passwords and tokens; leaves everything else as it is', () => {
    expect(displayRepoUrl('https://user:pa55@gitlab.example.com/acme/app.git')).toBe('https://gitlab.example.com/acme/app.git');
    expect(displayRepoUrl('https://ghp_token@github.com/acme/app')).toBe('https://github.com/acme/app');
    expect(displayRepoUrl('ssh://git@github.com/acme/app.git')).toBe('ssh://github.com/acme/app.git');
    expect(displayRepoUrl('https://github.com/acme/app.git')).toBe('https://github.com/acme/app.git');
    expect(displayRepoUrl('file:///srv/repos/app')).toBe('file:///srv/repos/app');
    expect(displayRepoUrl('git@github.com:acme/app.git')).toBe('git@github.com:acme/app.git');
    expect(displayRepoUrl('/srv/repos/app')).toBe('/srv/repos/app');
  });
});
