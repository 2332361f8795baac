/**
 * The offline meaning checks (GitHub issue 9): they judge what the outputs say, not only their
 * shape. Each is a {@link Check}; weights and thresholds are listed in `README.md` next to this file.
 */
import { asArray, asRecord, itemLabel, listAt } from '../analysis/shape';
import { idsOf } from '../analysis/traceability';
import { quote } from '../analysis/words';
import type { RepoView } from '../types';
import type { Check, CheckInput } from './checks';
import { checkPaths, unwiredPlan, type GroundingProblem } from './rules/grounding';
import { OBSERVABLE_HINT, analyzeObservable } from './rules/observable';
import { cleanPath, designPaths, taskPaths, type PlannedPath } from './rules/paths';
import { estimateTotals, isTestTask, loneTestTasks, lumpedTasks, unrelatedTasks, type PlanProblem } from './rules/plan';
import { judgeRelevance } from './rules/relevance';
import { findStackRewrite, foreignRunners, stackFacts, testNamingProblems } from './rules/stack';
import { findVagueWording } from './rules/wording';
import type { Scorecard } from './scorecard';
import { text } from './scorecard';

const record = (card: Scorecard, p: { where: string; severity: 'error' | 'warning'; message: string }) => (p.severity === 'error' ? card.error(p.where, p.message) : card.warn(p.where, p.message));
const recordGrounding = (card: Scorecard, p: GroundingProblem) => record(card, p);

/** Requirements of the output being judged (REQUIREMENTS) or of the context (later phases). */
const requirementsOf = (input: CheckInput) => (input.phase === 'requirements' ? asArray(input.output['requirements']) : listAt(input.context['requirements'], 'requirements'));

function criteriaOf(requirement: unknown, where: string, id: string | undefined): { where: string; text: string }[] {
  return asArray(asRecord(requirement)?.['acceptance_criteria']).flatMap((criterion, k) => {
    const c = asRecord(criterion);
    const sentence = typeof criterion === 'string' ? criterion.trim() : text(c?.['text']);
    if (!sentence) return [];
    return [{ where: `${where}.acceptance_criteria[${text(c?.['id']) ?? (id ? `${id}.AC-${k + 1}` : k)}]`, text: sentence }];
  });
}

/** R7/R8/R9 wording in requirement texts (errors) and criteria (per rule). Score: share of statements without an error. */
export const wordingCheck: Check = {
  name: 'wording',
  phases: ['requirements'],
  weight: 2,
  run(input, card) {
    let statements = 0;
    let clean = 0;
    asArray(input.output['requirements']).forEach((item, i) => {
      const where = itemLabel('requirements', item, i);
      const sentence = text(asRecord(item)?.['text']);
      const judged: { where: string; text: string; role: 'requirement' | 'criterion' }[] = [
        ...(sentence ? [{ where: `${where}.text`, text: sentence, role: 'requirement' as const }] : []),
        ...criteriaOf(item, where, text(asRecord(item)?.['id'])).map((c) => ({ ...c, role: 'criterion' as const })),
      ];
      for (const statement of judged) {
        statements++;
        const findings = findVagueWording(statement.text);
        let bad = false;
        for (const finding of findings) {
          const severity = statement.role === 'requirement' ? finding.inRequirement : finding.inCriterion;
          if (severity === 'error') bad = true;
          record(card, { where: statement.where, severity, message: finding.message });
        }
        if (!bad) clean++;
      }
    });
    return statements === 0 ? null : clean / statements;
  },
};

/** Every acceptance criterion names something a test can observe. Score: share of criteria that do. */
export const observableCheck: Check = {
  name: 'observable_criteria',
  phases: ['requirements'],
  weight: 2,
  run(input, card) {
    let total = 0;
    let good = 0;
    asArray(input.output['requirements']).forEach((item, i) => {
      for (const criterion of criteriaOf(item, itemLabel('requirements', item, i), text(asRecord(item)?.['id']))) {
        total++;
        const analysis = analyzeObservable(criterion.text);
        if (analysis.observable) {
          good++;
          continue;
        }
        const intention = analysis.intentions[0];
        const head = intention ? `${quote(criterion.text)} states an intention ("${intention}"), not an observable outcome` : `${quote(criterion.text)} names no observable outcome`;
        card.error(criterion.where, `${head} (${OBSERVABLE_HINT}): say what a test sees, e.g. "the response is 429 with a Retry-After header"`);
      }
    });
    return total === 0 ? null : good / total;
  },
};

/** Every requirement traces to the request. Score: share of requirements that do. */
export const relevanceCheck: Check = {
  name: 'relevance',
  phases: ['requirements'],
  weight: 2,
  needs: ['spec'],
  run(input, card) {
    const spec = input.spec!;
    const requirements = asArray(input.output['requirements']);
    if (requirements.length === 0 || !text(spec.title)) return null;
    const report = judgeRelevance(spec, requirements);
    if (report.requestTerms.length === 0) return null;
    const terms = report.requestTerms.slice(0, 8).join(', ');
    for (const row of report.requirements) {
      if (row.related) continue;
      const request = `"${spec.title.trim()}": ${terms}`;
      const message = row.crossCutting
        ? `${quote(row.sentence)} is ${/^[aeiou]/.test(row.crossCutting) ? 'an' : 'a'} ${row.crossCutting} requirement that names nothing of the request (${request}): say which part of the feature it covers, or drop it`
        : `${quote(row.sentence)} shares no key term with the request (${request}) nor with the requirements that trace to it: drop it, or rewrite it to say how it serves the request`;
      card.error(row.where, message);
    }
    return report.requirements.filter((row) => row.related).length / report.requirements.length;
  },
};

const DESIGN_PROSE = ['architecture_overview', 'error_handling', 'testing_strategy'] as const;

function designProse(design: Record<string, unknown>): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const key of DESIGN_PROSE) {
    const prose = text(design[key]);
    if (prose) out.push({ where: key, text: prose });
  }
  asArray(design['components']).forEach((item, i) => {
    for (const key of ['name', 'responsibility', 'description']) {
      const prose = text(asRecord(item)?.[key]);
      if (prose) out.push({ where: `${itemLabel('components', item, i)}.${key}`, text: prose });
    }
  });
  return out;
}

function taskProse(tasks: readonly unknown[], only: (task: unknown) => boolean = () => true): { where: string; text: string }[] {
  return tasks.flatMap((task, i) => {
    if (!only(task)) return [];
    const t = asRecord(task);
    return ['title', 'description'].flatMap((key) => {
      const prose = text(t?.[key]);
      return prose ? [{ where: `${itemLabel('tasks', task, i)}.${key}`, text: prose }] : [];
    });
  });
}

/** A feature is built in the repository's stack: no proposal to rewrite or port it. Score 1 or 0. */
export const stackFitCheck: Check = {
  name: 'stack_fit',
  phases: ['design', 'tasks'],
  weight: 2,
  run(input, card) {
    const facts = stackFacts(input.context, input.repo);
    const prose = input.phase === 'design' ? designProse(input.output) : taskProse(asArray(input.output['tasks']));
    let found = 0;
    for (const part of prose) {
      for (const problem of findStackRewrite(part.text, part.where, facts)) {
        card.error(problem.where, problem.message);
        found++;
      }
    }
    return found === 0 ? 1 : 0;
  },
};

/** Paths a DESIGN creates (to let the tasks modify them). */
function createdByDesign(design: unknown, repo: RepoView): string[] {
  return designPaths(design)
    .filter((p) => p.source === 'field' && (p.change === 'create' || (p.change === 'unspecified' && !repo.exists(p.path))))
    .map((p) => p.path);
}

/** The paths a plan touches exist, and new ones fit the repository's language and layout. Score: share of paths without an error. */
export const groundingCheck: Check = {
  name: 'grounding',
  phases: ['design', 'tasks'],
  weight: 2,
  needs: ['repo'],
  run(input, card) {
    const repo = input.repo!;
    if (input.phase === 'design') {
      const result = checkPaths(repo, designPaths(input.output));
      for (const problem of result.problems) recordGrounding(card, problem);
      return result.checked === 0 ? 1 : result.good / result.checked;
    }
    const paths = taskPaths(input.output);
    const result = checkPaths(repo, paths, createdByDesign(input.context['design'], repo));
    for (const problem of result.problems) recordGrounding(card, problem);
    const entryPoints = asArray(asRecord(input.context['explore'])?.['entry_points']).map((e) => text(e) ?? '').filter((e) => e !== '');
    const unwired = unwiredPlan(repo, paths, entryPoints);
    if (unwired) recordGrounding(card, unwired);
    const score = result.checked === 0 ? 1 : result.good / result.checked;
    return unwired ? score * 0.75 : score;
  },
};

/** EXPLORE: the files it names exist; a repository with files is not reported as having no code base. */
export const exploreGroundingCheck: Check = {
  name: 'grounding',
  phases: ['explore'],
  weight: 1,
  needs: ['repo'],
  run(input, card) {
    const repo = input.repo!;
    const files = repo.languages.reduce((sum, l) => sum + l.files, 0);
    if (input.output['has_codebase'] === false) {
      if (files > 0) {
        const langs = repo.languages.slice(0, 3).map((l) => `${l.name} ${l.files}`).join(', ');
        card.error('has_codebase', `is false, but the repository has ${files} source files (${langs}): explore it and report its stack, structure and key files`);
        return 0;
      }
      return 1;
    }
    let checked = 0;
    let good = 0;
    asArray(input.output['key_files']).forEach((item, i) => {
      const path = text(asRecord(item)?.['path']);
      if (!path) return;
      checked++;
      if (repo.exists(cleanPath(path) ?? path)) good++;
      else card.error(`key_files[${i}].path`, `"${path}" does not exist in the repository: list files that are there`);
    });
    asArray(input.output['entry_points']).forEach((item, i) => {
      const path = text(item);
      if (!path || !/[./]/.test(path)) return;
      checked++;
      if (repo.exists(cleanPath(path) ?? path)) good++;
      else card.warn(`entry_points[${i}]`, `"${path}" does not exist in the repository`);
    });
    if (files > 0 && asArray(input.output['tech_stack']).length === 0) card.error('tech_stack', `lists nothing, but the repository has ${files} source files: name its languages and frameworks`);
    return checked === 0 ? 1 : good / checked;
  },
};

/** Tests are planned with the repository's runner and its language's test file names. Score 1, 0.5 (warnings) or 0 (errors). */
export const testRunnerCheck: Check = {
  name: 'test_runner',
  phases: ['design', 'tasks'],
  weight: 1,
  run(input, card) {
    const facts = stackFacts(input.context, input.repo);
    if (facts.runners.length === 0 && facts.language === null) return null;
    const problems: PlanProblem[] = [];
    const repoRunner = facts.runners[0];
    const judge = (where: string, prose: string, requireRunner: boolean) => {
      const runners = foreignRunners(prose, facts);
      for (const name of runners.foreign) {
        problems.push({ where, severity: 'error', message: `names ${name}, but the repository's tests run with ${facts.runners.join(', ')}: plan ${repoRunner ?? 'its'} tests instead` });
      }
      if (requireRunner && repoRunner && runners.named.length === 0) {
        problems.push({ where, severity: 'warning', message: `names no test runner: say the tests use ${repoRunner}, the repository's runner${facts.testPattern ? `, in files named ${facts.testPattern}` : ''}` });
      }
      for (const naming of testNamingProblems(prose, [], facts)) problems.push({ where, severity: naming.severity, message: naming.message });
    };
    const judgePaths = (paths: readonly PlannedPath[]) => {
      for (const planned of paths) {
        if (planned.source !== 'field') continue;
        for (const naming of testNamingProblems('', [planned.path], facts)) problems.push({ where: planned.where, severity: naming.severity, message: naming.message });
      }
    };
    if (input.phase === 'design') {
      const strategy = text(input.output['testing_strategy']) ?? '';
      judge('testing_strategy', strategy, strategy !== '');
      judgePaths(designPaths(input.output));
    } else {
      asArray(input.output['tasks']).forEach((task, i) => {
        if (!isTestTask(task)) return;
        const t = asRecord(task);
        const where = itemLabel('tasks', task, i);
        for (const key of ['title', 'description']) {
          const prose = text(t?.[key]);
          if (prose) judge(`${where}.${key}`, prose, false);
        }
        judgePaths(taskPaths({ tasks: [task] }));
      });
    }
    for (const problem of problems) record(card, problem);
    return problems.some((p) => p.severity === 'error') ? 0 : problems.length > 0 ? 0.5 : 1;
  },
};

/** Tasks that implement nothing: lone test tasks, one task lumping everything, tasks unrelated to what they cite. Score: share of tasks without an error. */
export const taskSubstanceCheck: Check = {
  name: 'task_substance',
  phases: ['tasks'],
  weight: 2,
  run(input, card) {
    const tasks = asArray(input.output['tasks']);
    if (tasks.length === 0) return null;
    const requirements = listAt(input.context['requirements'], 'requirements');
    const components = listAt(input.context['design'], 'components');
    const request = input.spec ? `${input.spec.title} ${input.spec.description}` : '';
    const problems = [...loneTestTasks(tasks, requirements), ...lumpedTasks(tasks, requirements, components), ...unrelatedTasks(tasks, requirements, components, request)];
    for (const problem of problems) record(card, problem);
    const failing = new Set(problems.filter((p) => p.severity === 'error').map((p) => p.where.split('.')[0]));
    if (failing.has('tasks')) return 0;
    return 1 - failing.size / tasks.length;
  },
};

/** The total estimate is plausible for the scope (see `TOTALS`). */
export const estimateTotalsCheck: Check = {
  name: 'estimate_totals',
  phases: ['tasks'],
  weight: 1,
  run(input, card) {
    const tasks = asArray(input.output['tasks']);
    if (tasks.length === 0) return null;
    const requirements = requirementsOf(input);
    const requirementCount = requirements ? idsOf(requirements).filter((id) => id !== undefined).length : 0;
    const componentCount = asArray(listAt(input.context['design'], 'components')).length;
    if (requirementCount === 0 && componentCount === 0) return null;
    const { problems, score } = estimateTotals(tasks, requirementCount, componentCount);
    for (const problem of problems) record(card, problem);
    return score;
  },
};

/** Every offline meaning check, in the order they run. */
export const MEANING_CHECKS: readonly Check[] = [
  wordingCheck,
  observableCheck,
  relevanceCheck,
  stackFitCheck,
  groundingCheck,
  exploreGroundingCheck,
  testRunnerCheck,
  taskSubstanceCheck,
  estimateTotalsCheck,
];
