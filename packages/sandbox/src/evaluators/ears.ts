/**
 * EARS (Easy Approach to Requirements Syntax) recognition. Keywords are matched as whole words,
 * case-insensitively: "marshall" is not SHALL, "mayhem" is not MAY, "whenever" is not WHEN.
 */

export type EarsPattern = 'event' | 'unwanted' | 'state' | 'optional' | 'ubiquitous';

export interface EarsAnalysis {
  pattern: EarsPattern | null;
  /** Whether the sentence has a SHALL as a whole word. */
  hasShall: boolean;
  /** Weak modal verbs (may, should, might, could, will try) that make a requirement unverifiable. */
  weakModals: string[];
  /** Why the text is not EARS, when `pattern` is null. */
  reason?: string;
}

const TRIGGERS: Record<string, EarsPattern> = { when: 'event', if: 'unwanted', while: 'state', where: 'optional' };
const SHALL = /\bshall\b/i;
const WEAK = /\b(may|should|might|could)\b/gi;

export function analyzeEars(input: string): EarsAnalysis {
  const sentence = input.trim();
  const shall = SHALL.exec(sentence);
  const weakModals = [...new Set([...sentence.matchAll(WEAK)].map((m) => m[1]!.toLowerCase()))];
  if (!shall) {
    return { pattern: null, hasShall: false, weakModals, reason: 'has no SHALL (EARS: WHEN/IF/WHILE/WHERE <condition>, THE SYSTEM SHALL <response>)' };
  }
  const first = /^([a-z]+)\b/i.exec(sentence)?.[1]?.toLowerCase() ?? '';
  const trigger = TRIGGERS[first];
  if (trigger) {
    // The condition runs from the keyword to the first comma (or to SHALL when there is none).
    const condition = sentence.slice(first.length, shall.index).split(',')[0] ?? '';
    if (!/\w/.test(condition)) return { pattern: null, hasShall: true, weakModals, reason: `has no condition between ${first.toUpperCase()} and SHALL` };
    return { pattern: trigger, hasShall: true, weakModals };
  }
  if (first === 'the' && shall.index > 4) return { pattern: 'ubiquitous', hasShall: true, weakModals };
  return {
    pattern: null,
    hasShall: true,
    weakModals,
    reason: `starts with "${first || sentence.slice(0, 12)}" instead of WHEN, IF, WHILE, WHERE or THE <system> SHALL`,
  };
}
