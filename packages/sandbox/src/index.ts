export * from './types';
export * from './analysis/traceability';
