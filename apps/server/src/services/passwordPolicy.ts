/**
 * What a new password must not be, beyond the length the schema checks (8–200): one of the ~49,000
 * most common passwords (the list `@zxcvbn-ts/language-common` ships, compared case-insensitively), or
 * the account's own email or the part of it before the `@`. The list is loaded once, on first use.
 */
import type { ErrorItem } from '../http/errors';

let common: Promise<Set<string>> | undefined;

function commonPasswords(): Promise<Set<string>> {
  common ??= import('@zxcvbn-ts/language-common').then(({ dictionary }) => new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())));
  return common;
}

/** The problems with `password` for the account `email` (empty when it is acceptable), at `body.password`. */
export async function passwordProblems(password: string, email: string): Promise<ErrorItem[]> {
  const lower = password.toLowerCase();
  const address = email.trim().toLowerCase();
  const local = address.split('@')[0] ?? '';
  if (lower === address || lower.trim() === address || (local.length > 0 && lower.trim() === local)) {
    return [{ path: 'body.password', message: 'the password must not be your email address (or its name part)' }];
  }
  if ((await commonPasswords()).has(lower) || (await commonPasswords()).has(lower.trim())) {
    return [{ path: 'body.password', message: 'this password is one of the most common passwords; choose another' }];
  }
  return [];
}
