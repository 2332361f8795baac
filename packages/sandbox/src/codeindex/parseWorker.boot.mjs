// Worker entry: loads the TypeScript worker with tsx (the sandbox runs its sources directly, with no build step).
import { tsImport } from 'tsx/esm/api';

await tsImport('./parseWorker.ts', import.meta.url);
