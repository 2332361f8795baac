import { isApiError } from '@specline/client';

/** A sentence for people about any thrown value; field problems of a 400/422 are appended. */
export function errorMessage(error: unknown): string {
  if (isApiError(error)) {
    const fields = error.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    return fields ? `${error.detail} (${fields})` : error.detail;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isNotFound(error: unknown): boolean {
  return isApiError(error) && error.status === 404;
}
