export * from './errors';
export * from './http';
export * from './stream';
export * from './sseParser';
export * from './eventsPage';
export { specEventsUrl } from './eventsConnection';
export type { StreamConnectionOptions } from './eventsConnection';
