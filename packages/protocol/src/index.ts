export * from './phases';
export * from './ids';
export * from './outputs';
export * from './events';
export * from './ingest';
export * from './errors';
export * from './api';
export * from './stream';
