/**
 * The auto agent: a plausible model with no script. Stateless — each request is answered from its
 * own conversation. Per phase: `list_files` (glob `**\/*`), then `read_file` on a real path from that
 * result, then `search` for a keyword from the prompt, then the phase's final answer built from what
 * came back. A tool the request does not offer is skipped.
 */
import type { RequestView } from '../request';
import type { FakeTurn } from '../types';
import { autoDesign } from './design';
import { autoExplore, autoPrd } from './explore';
import { keywordFor, pickReadPath } from './repo';
import { autoRequirements } from './requirements';
import { readSeen } from './seen';
import type { Seen } from './seen';
import { autoTasks } from './tasks';

const BUILDERS: Record<string, (seen: Seen) => Record<string, unknown>> = {
  explore: autoExplore,
  prd: autoPrd,
  requirements: autoRequirements,
  design: autoDesign,
  tasks: autoTasks,
};

export const AUTO_PHASES: readonly string[] = Object.keys(BUILDERS);

export function autoTurn(view: RequestView): FakeTurn {
  // A forced submit tool means: answer now. `tool_choice: none` means: no tool at all.
  const answerNow = view.toolsDisabled || (view.forcedTool !== null && view.forcedTool === view.submitTool);
  const offered = new Set(answerNow ? [] : view.tools);
  const called = (name: string) => view.exchanges.some((e) => e.name === name);
  const seen = readSeen(view);
  const keyword = keywordFor(`${seen.brief.title} ${seen.brief.description}`, seen.files);

  if (offered.has('list_files') && !called('list_files')) {
    return { text: 'Looking at the repository layout first.', toolCalls: [{ name: 'list_files', input: { glob: '**/*' } }] };
  }
  if (offered.has('read_file') && !called('read_file')) {
    const path = pickReadPath(seen.files, keyword);
    if (path !== undefined) return { text: `Reading ${path}.`, toolCalls: [{ name: 'read_file', input: { path } }] };
  }
  if (offered.has('search') && !called('search')) {
    return { text: `Searching the code for "${keyword}".`, toolCalls: [{ name: 'search', input: { query: keyword } }] };
  }
  const build = view.phase === null ? undefined : BUILDERS[view.phase];
  if (build) return { final: build(seen) };
  return {
    text:
      view.phase === null
        ? 'fake-llm (auto): the request offers no submit_<phase> tool and no <phase>_output json_schema, so there is no phase to answer.'
        : `fake-llm (auto): no answer for phase "${view.phase}" (auto mode answers ${AUTO_PHASES.join(', ')}).`,
  };
}
