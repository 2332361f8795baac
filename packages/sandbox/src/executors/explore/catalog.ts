/** EXPLORE's static knowledge is the code index's: one catalogue for both. */
export * from '../../codeindex/catalog';
