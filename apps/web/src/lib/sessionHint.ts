/**
 * A hint (not a credential) that this browser signed in: the session itself is an httpOnly cookie that JS
 * cannot see. Without the hint the app goes straight to sign-in instead of asking `/auth/me` for a 401
 * (which browsers log as a console error). A stale hint costs one 401, after which it is cleared.
 */
const KEY = 'specline.signed-in';

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // storage disabled: always ask the server
  }
}

export const sessionHint = {
  present(): boolean {
    const store = storage();
    return store ? store.getItem(KEY) === '1' : true;
  },
  set(): void {
    storage()?.setItem(KEY, '1');
  },
  clear(): void {
    storage()?.removeItem(KEY);
  },
};
