/**
 * The shape of a change: the parts (design components) a change of this kind needs in this stack,
 * each on a real file (`modify`, with the existing symbols it touches and why) or on a new file placed
 * where the repository keeps such files (`create`); the endpoints it adds or changes under their real
 * prefixes; the data-model changes in the repository's ORM; and the facts the requirements quote
 * (routes, parameters, defaults, setting names). Requirements, design and tasks are all written from
 * one blueprint, so they agree.
 */
import { type Grounding } from './ground';
import { placeNew, placeTest, roleDir, testRunner } from './place';
import { kindLabel } from './request';
import { baseName } from './words';
import { capitalizeWords, base, modifyPart, invalidStatusOf, isFormBased, plannedTests, type Blueprint } from './parts';
import { ruleShape, endpointShape, flowShape, existingShape } from './shapes';
import { registrationFile, resourceShape, dataShape, integrationShape, jobShape, uiShape } from './resourceShapes';
export type { Aspect, Part, PlannedEndpoint, PlannedModel, Facts, Blueprint } from './parts';


export function buildBlueprint(g: Grounding): Blueprint {
  const bp: Blueprint = {
    kind: g.request.kind,
    label: g.request.kind === 'endpoint' && !g.repo.http && g.repo.routes.length === 0 ? 'a change to existing behaviour' : kindLabel(g.request.kind),
    parts: [],
    endpoints: [],
    models: [],
    facts: { targets: [], subject: g.request.phrase, params: {}, defaults: {}, settings: [], invalidStatus: invalidStatusOf(g), formBased: isFormBased(g) },
    notes: [],
    tests: [],
    runner: testRunner(g),
  };
  if (!g.repo.hasCodebase) bp.notes.push('No repository is connected: this plan is written from the request alone and names no existing file; file locations are chosen once the code base is known.');
  else if (!g.repo.grounded) bp.notes.push('The repository could not be read file by file (no code index and no code facts in EXPLORE): new files are placed by the detected stack only.');
  if (g.existing && g.request.kind !== 'rule' && g.request.kind !== 'endpoint') existingShape(g, bp);
  else {
    switch (g.request.kind) {
      case 'rule':
        ruleShape(g, bp);
        break;
      case 'endpoint':
        endpointShape(g, bp);
        break;
      case 'flow':
        flowShape(g, bp);
        break;
      case 'resource':
        resourceShape(g, bp);
        break;
      case 'data':
        dataShape(g, bp);
        break;
      case 'integration':
        integrationShape(g, bp);
        break;
      case 'job':
        jobShape(g, bp);
        break;
      case 'ui':
        uiShape(g, bp);
        break;
    }
  }
  if (bp.parts.length === 0) {
    // Nothing matched in the code: one part that implements the request, placed by role.
    const placed = g.repo.hasCodebase ? placeNew(g, 'service', g.request.keyConcepts.slice(0, 2).length > 0 ? g.request.keyConcepts.slice(0, 2) : ['feature'], { fallbackDir: roleDir(g, 'service') ?? roleDir(g, 'route') ?? g.repo.sourceRoot }) : undefined;
    bp.parts.push(base(g, 'service', 'service', `${capitalizeWords(g.request.phrase)}`, placed, { responsibility: `Implements ${g.request.phrase}.`, serves: ['behaviour', 'validation', 'errors', 'create', 'list'], hours: 3 }));
  }
  // New code that nothing existing calls is wired in where the application starts or mounts its parts.
  const createsCode = bp.parts.some((p) => p.change === 'create' && p.file_path && /\.(ts|tsx|js|mjs|py|java|kt|go|rb|rs|php|cs)$/.test(p.file_path));
  const modifiesCode = bp.parts.some((p) => p.change === 'modify' && p.file_path && /\.(ts|tsx|js|mjs|py|java|kt|go|rb|rs|php|cs)$/.test(p.file_path));
  if (g.repo.grounded && createsCode && !modifiesCode && g.repo.ext !== 'java' && g.repo.ext !== 'kt') {
    const entry = registrationFile(g) ?? g.repo.entryPoints.find((e) => g.repo.sourceFiles.includes(e)) ?? g.repo.sourceFiles.find((f) => /(^|\/)(cli|__main__|main|app|server)\.[a-z]+$/.test(f));
    const target = bp.parts.find((p) => p.change === 'create' && p.role !== 'model' && p.role !== 'settings') ?? bp.parts.find((p) => p.change === 'create');
    if (entry && target) {
      bp.parts.push(modifyPart(g, 'registration', 'registration', `Wire ${target.name.toLowerCase()} into ${baseName(entry)}`, entry, [], 'the application starts here, so the new code is reachable from it', { responsibility: `Calls ${target.name.toLowerCase()} from \`${entry}\` so the new behaviour is reachable.`, uses: [target.key], serves: ['behaviour'], hours: 0.5 }));
    }
  }
  // Dependencies only on parts that exist.
  const keys = new Set(bp.parts.map((p) => p.key));
  for (const part of bp.parts) part.uses = [...new Set(part.uses.filter((u) => keys.has(u) && u !== part.key))];
  bp.tests = plannedTests(g, bp.parts);
  if (bp.tests.length === 0 && g.repo.hasCodebase) {
    const main = bp.parts.find((p) => p.file_path && ['route', 'service', 'middleware'].includes(p.role)) ?? bp.parts.find((p) => p.file_path);
    if (main?.file_path) bp.tests.push({ part: main.key, placed: placeTest(g, main.file_path) });
  }
  return bp;
}

