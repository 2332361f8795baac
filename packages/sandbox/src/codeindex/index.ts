/** The code index: see `types.ts` for the contract and `build.ts` for how it is made. */
export type * from './types';
export { buildCodeIndex, loadCodeIndex, clearCodeIndexMemo, gitHead } from './build';
export { codeIndexFromJSON, createCodeIndex, CODE_INDEX_VERSION } from './codeIndex';
export { languageOf } from './languages';
export { tokenize as tokenizeForSearch, normaliseTerm as normaliseSearchTerm } from './search';
