/**
 * Auto DESIGN: components placed in the repository the agent listed — the file it read (or the one
 * named after the feature) is modified, new files go in the same directory with the same extension
 * and naming style — each citing the requirements found in the prompt.
 */
import { clauseFacts, featureWords, titleCase } from '../../../executors/text';
import { dirOf, dominantExt, exportsOf, extOf, isTestFile, keywordFor, looksHttp, newFilePath, pickReadPath, routesIn, sourceFiles, testPathFor, testRunner } from './repo';
import type { Seen, SeenRequirement } from './seen';

interface Component {
  id: string;
  name: string;
  responsibility: string;
  file_path: string;
  change: 'modify' | 'create';
  requirements: string[];
  /** The file and its test file, each with its change. */
  files?: { path: string; change: 'modify' | 'create' }[];
}

const matches = (r: SeenRequirement, re: RegExp) => re.test(`${r.title} ${r.text}`);

export function autoDesign(seen: Seen): Record<string, unknown> {
  const { brief, files } = seen;
  const words = featureWords(brief.title, 2);
  const feature = words.join(' ');
  const Title = titleCase(words);
  const keyword = keywordFor(`${brief.title} ${brief.description}`, files);
  const sources = sourceFiles(files).filter((f) => !isTestFile(f));
  const readIsSource = seen.read !== undefined && sources.includes(seen.read.path);
  const existing = readIsSource ? seen.read!.path : (pickReadPath(sources, keyword) ?? undefined);
  const ext = existing ? extOf(existing) : dominantExt(files);
  const dir = existing ? dirOf(existing) : 'src';
  const requirements = brief.requirements;
  const ids = requirements.map((r) => r.id);

  const validation = requirements.filter((r) => matches(r, /\b(malformed|invalid|validat\w*|400|422)\b/i)).map((r) => r.id);
  const records = requirements.filter((r) => !validation.includes(r.id) && matches(r, /\b(persist\w*|stor(?:e|ed|age)|rows?|audit|database|counters?)\b/i)).map((r) => r.id);
  const rest = ids.filter((id) => !validation.includes(id) && !records.includes(id));
  const core = rest.length > 0 ? rest : ids;
  // Storage goes next to the existing stores when there are any.
  const storeDir = dirOf(sources.find((f) => /(store|repo|repository|model|models|db|dao)/i.test(f.split('/').pop() ?? '') || /\/(stores?|models?|db|repositories)\//.test(f)) ?? '') || dir;

  const components: Component[] = [];
  const add = (c: Omit<Component, 'id'>) => components.push({ id: `DES-${String(components.length + 1).padStart(3, '0')}`, ...c });
  const corePath = newFilePath(files, dir, words, ext);
  add({
    name: `${Title} rules`,
    responsibility: `Decides the ${feature} outcome for one call (${requirements.slice(0, 2).map((r) => r.title).join('; ') || brief.title}) and returns it as a value, with no I/O.`,
    file_path: corePath,
    change: 'create',
    requirements: core.length > 0 ? core : ids,
  });
  if (existing) {
    const exported = seen.read?.path === existing ? exportsOf(seen.read.content) : [];
    add({
      name: `${titleCase([existing.split('/').pop() ?? existing])} integration`,
      responsibility: `Calls DES-001 from the existing code path in ${existing}${exported.length > 0 ? ` (${exported.join(', ')})` : ''}, validates the input first and maps each outcome onto the caller's response.`,
      file_path: existing,
      change: 'modify',
      requirements: [...new Set([...(ids[0] ? [ids[0]] : []), ...validation])],
    });
  }
  if (records.length > 0) {
    add({
      name: `${Title} records`,
      responsibility: `Stores the ${feature} state (one record per subject, with its counts and timestamps) next to the existing stores, and reads it back for DES-001.`,
      file_path: newFilePath(files, storeDir, [...words, 'store'], ext),
      change: 'create',
      requirements: records,
    });
  }
  // Every requirement is addressed by some component.
  const addressed = new Set(components.flatMap((c) => c.requirements));
  for (const id of ids) if (!addressed.has(id)) components[0]!.requirements.push(id);

  const text = `${brief.description} ${requirements.map((r) => r.text).join(' ')}`;
  const statuses = [...new Set(requirements.flatMap((r) => clauseFacts(r.text).statuses))].sort();
  const stated = clauseFacts(text).routes.map((r) => ({ ...r, description: `Serves ${feature} as the requirements describe.` }));
  // Existing routes of the modified file that the requirements name: changed, not new.
  const changed = existing && seen.read?.path === existing ? routesIn(seen.read.content).filter((r) => text.includes(`${r.method} ${r.path}`)) : [];
  const routes = [
    ...changed.map((r) => ({
      ...r,
      description: `Existing route in ${existing}; after this change it also answers ${statuses.length > 0 ? statuses.map((s) => `HTTP ${s}`).join(', ') : 'as the requirements describe'} (${requirements.filter((q) => q.text.includes(`${r.method} ${r.path}`)).map((q) => q.id).join(', ')}).`,
    })),
    ...stated,
  ].filter((r, i, all) => all.findIndex((x) => x.method === r.method && x.path === r.path) === i);
  for (const c of components) {
    const test = testPathFor(files, c.file_path);
    c.files = [
      { path: c.file_path, change: c.change },
      { path: test, change: files.includes(test) ? 'modify' : 'create' },
    ];
  }
  const runner = testRunner(files, brief.overview);
  const http = looksHttp(files, `${brief.title} ${brief.description}`);
  const tests = components.map((c) => testPathFor(files, c.file_path));

  return {
    generated_by: 'fake-llm',
    architecture_overview:
      `${Title} lives in ${dir || 'the repository root'}/, next to the code it changes. ` +
      `${components.map((c) => `${c.id} ${c.change === 'modify' ? 'changes' : 'adds'} ${c.file_path}`).join('; ')}. ` +
      `The rules in DES-001 are pure, so the integration point only translates between ${http ? 'HTTP requests and responses' : 'callers'} and those rules.`,
    architecture_diagram: ['flowchart LR', ...components.map((c) => `  ${c.id.replace('-', '')}["${c.id} ${c.name}<br/>${c.file_path}"]`), ...components.slice(1).map((c) => `  ${c.id.replace('-', '')} --> DES001`)].join('\n'),
    components,
    data_models: components.some((c) => c.name.endsWith(' records')) ? [
      {
        name: `${Title.replace(/\s+/g, '')}Record`,
        description: `One handled ${feature} call.`,
        fields: [
          { name: 'id', type: 'string', description: 'Unique id of the record.' },
          { name: 'subject', type: 'string', description: 'Who or what the call was about.' },
          { name: 'outcome', type: 'string', description: 'accepted | refused | failed' },
          { name: 'created_at', type: 'timestamp', description: 'When the call was handled (UTC).' },
        ],
      },
    ] : [],
    api_endpoints: routes.map((r) => ({ method: r.method, path: r.path, description: r.description })),
    error_handling: http
      ? 'Malformed input is refused with HTTP 400 naming the field before DES-001 runs; a refusal decided by the rules keeps its documented status; unexpected failures answer 500 with an error id and are logged at level error. Nothing is stored for a refused call.'
      : 'Invalid arguments raise an error naming the argument before DES-001 runs; unexpected failures are logged at level error with the input that caused them. Nothing is stored for a refused call.',
    testing_strategy: `${runner}: unit tests for DES-001 at each boundary named in the acceptance criteria, and tests through the integration point for the refusal and success paths. New test files: ${[...new Set(tests)].join(', ')}.`,
    context_used: { files_listed: files.length, file_read: seen.read?.path ?? null, existing_sources: sources.length },
  };
}
