import { randomUUID } from 'node:crypto';

/** Prefixed ids, as the original API uses (`spec-…`, `req-…`). */
export const newId = {
  user: () => `user-${randomUUID()}`,
  project: () => `project-${randomUUID()}`,
  spec: () => `spec-${randomUUID()}`,
  requirement: () => `req-${randomUUID()}`,
  criterion: () => `crit-${randomUUID()}`,
  specTask: () => `spec-task-${randomUUID()}`,
  version: () => `ver-${randomUUID()}`,
  ticket: () => randomUUID(),
  task: () => randomUUID(),
  sandbox: () => `sbx-${randomUUID()}`,
  run: () => `run-${randomUUID()}`,
  proposal: () => `prop-${randomUUID()}`,
};
