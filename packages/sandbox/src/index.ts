export * from './types';
export * from './analysis/traceability';
export * from './clock';
export * from './evaluators/index';
