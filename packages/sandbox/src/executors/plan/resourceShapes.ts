/** Blueprint shapes for resources (CRUD), data, integrations, jobs and UI changes. */
import type { ModelFact } from '../../codeindex/types';
import { routeLabel, type Grounding, type Touch } from './ground';
import { filesOfRole, hasModel, placeNew, roleDir, type Placed } from './place';
import { ACTORS } from './request';
import { baseName, concept, concepts, dirName, inStyle, plural } from './words';
import { capitalizeWords, base, modifyPart, handlerSymbols, invalidStatusOf, isFormBased, ident, settingName, settingsPart, newCollectionPath, itemRoute, words, type PlannedEndpoint, type Blueprint } from './parts';
import { endpointShape, placeFor, param } from './shapes';

export function resourceParts(g: Grounding, bp: Blueprint, resource: string, collection: string, options: { form: boolean; parent: ModelFact | undefined; existing?: ModelFact; only?: ('create' | 'list' | 'read' | 'update' | 'delete' | 'form')[] }): void {
  const Res = inStyle(words(resource), 'PascalCase');
  const resWords = words(resource);
  const ops = options.only ?? ['create', 'list', 'read', 'update', 'delete'];
  const models = filesOfRole(g, 'model');
  const sharedModelFile = models.length === 1 && g.repo.models.filter((m) => m.file === models[0]).length >= 2 ? models[0] : undefined;
  const java = g.repo.ext === 'java' || g.repo.ext === 'kt';
  const parentDir = options.parent ? dirName(options.parent.file) : undefined;
  // The model.
  const orm = g.repo.orm ?? (java ? 'JPA' : undefined);
  if (options.existing) {
    const m = options.existing;
    bp.models.push({ name: m.name, description: `Existing ${orm ?? ''} model in ${m.file}; its routes are new, the model is unchanged.`.replace('  ', ' '), change: 'none', file_path: m.file, ...(m.table ? { table: m.table } : {}), fields: m.fields.slice(0, 10).map((f) => ({ name: f, type: 'existing' })) });
  }
  const modelAt: Placed | Touch | undefined = options.existing ? undefined : !g.repo.hasCodebase
    ? undefined
    : sharedModelFile
      ? { path: sharedModelFile, role: 'model', symbols: [], reason: `every ${orm ?? ''} model is declared in this file`.replace('  ', ' '), score: 0 }
      : java && parentDir !== undefined
        ? placeNew(g, 'model', resWords, { near: parentDir })
        : placeNew(g, 'model', resWords, { fallbackDir: roleDir(g, 'model') ?? `${g.repo.sourceRoot}/models` });
  if (!options.existing) bp.parts.push(base(g, 'model', 'model', `${Res} model${orm ? ` (${orm})` : ''}`, modelAt, {
    responsibility: `Declares ${Res}${options.parent ? ` belonging to a ${options.parent.name}` : ''} with its fields and constraints${orm ? ` as a ${orm} ${orm === 'Prisma' ? 'model' : 'entity'}` : ''}${options.parent && options.parent.file === modelAt?.path ? `, and the relation on ${options.parent.name} in the same file` : ''}.`,
    interfaces: [],
    serves: ['store', 'create'],
    layer: 0,
    hours: 1.5,
  }));
  const table = options.existing?.table ?? (g.repo.ext === 'py' ? resource : plural(inStyle(resWords, 'snake_case')));
  if (!options.existing) bp.models.push({
    name: Res,
    description: `New ${orm ?? ''} ${orm === 'Prisma' ? 'model' : 'table'} \`${table}\`${options.parent ? `, one row per ${resource} of a ${options.parent.name.toLowerCase()}` : ''}.`.replace('  ', ' '),
    change: 'create',
    ...(modelAt ? { file_path: modelAt.path } : {}),
    table,
    fields: [
      { name: 'id', type: 'integer (primary key)' },
      ...(options.parent ? [{ name: ident(g, [concept(options.parent.name), 'id']), type: 'integer (foreign key)', description: `the ${options.parent.name} it belongs to` }] : []),
      ...(g.request.traits.includes('booking') ? [{ name: ident(g, [resource, 'date']), type: 'date', description: `the day booked; today or later` }, { name: 'description', type: 'string (≤ 255)', description: `why the ${resource} is booked; required` }] : [{ name: 'name', type: 'string (≤ 255)', description: 'required' }]),
      { name: ident(g, ['created', 'at']), type: 'timestamp', description: 'set on insert' },
    ],
  });
  if (options.parent && g.repo.grounded && !options.existing && options.parent.file !== modelAt?.path) {
    bp.parts.push(modifyPart(g, 'model:parent', 'model', `${options.parent.name} model: ${plural(resource)} relation`, options.parent.file, [options.parent.name], `defines ${options.parent.name}, which the new ${Res} belongs to`, {
      responsibility: `Gains the one-to-many relation to ${Res} (${plural(resource)} in date order).`,
      serves: ['store', 'display'],
      layer: 0,
      hours: 0.5,
      uses: ['model'],
    }));
  }
  // Persistence: a repository (JPA) / query module (services, crud) when the repository has that layer.
  const repositoryFiles = filesOfRole(g, 'repository');
  const serviceFiles = filesOfRole(g, 'service');
  if (g.repo.grounded && java && repositoryFiles.length > 0) {
    const placed = placeFor(g, 'repository', resWords, ['repository'], parentDir !== undefined ? { near: parentDir } : {});
    bp.parts.push(base(g, 'repository', 'repository', `${Res} repository`, placed, { responsibility: `Reads and saves ${Res} rows (Spring Data \`JpaRepository<${Res}, Integer>\`).`, uses: ['model'], serves: ['store', 'create', 'list'], hours: 1 }));
  } else if (g.repo.grounded && serviceFiles.length > 0) {
    const single = serviceFiles.length === 1 && /crud/.test(serviceFiles[0]!) ? serviceFiles[0] : undefined;
    const placed: Placed | Touch = single ? { path: single, role: 'service', symbols: [], reason: 'the database reads and writes live in this module', score: 0 } : placeFor(g, 'service', resWords, serviceFiles.some((f) => /service/i.test(baseName(f))) ? ['service'] : []);
    bp.parts.push(base(g, 'service', 'service', `${Res} ${single ? 'queries' : 'service'}`, placed, { responsibility: `Creates and reads ${plural(resource)}${options.parent ? ` of one ${options.parent.name.toLowerCase()}` : ''}; refuses invalid input before anything is stored.`, uses: ['model'], serves: ['create', 'list', 'validation', 'store'], hours: single ? 1.5 : 2 }));
  }
  // The route / controller.
  // The analogue's router/controller renamed (`items.py` → `orders.py`, `OwnerController.java` → `VisitController.java`); else a file in the routers' directory.
  const fallbackWords = java ? [...resWords, 'controller'] : [...resWords.slice(0, -1), plural(resWords[resWords.length - 1]!)];
  const analogueRoute = g.repo.hasCodebase ? placeNew(g, 'route', resWords, java && parentDir !== undefined ? { near: parentDir } : {}) : undefined;
  const routePath = analogueRoute && analogueRoute.reason.startsWith('modelled on') ? analogueRoute : g.repo.hasCodebase ? placeNew(g, 'route', fallbackWords, { analogue: false, ...(java && parentDir !== undefined ? { near: parentDir } : { fallbackDir: roleDir(g, 'route') ?? `${g.repo.sourceRoot}/routes` }) }) : undefined;
  const persistence = bp.parts.find((p) => p.role === 'repository' || p.role === 'service')?.key;
  // The item parameter as the analogue's routes name it (`{id}`), unless the parent path already uses that name.
  const analogueModel = g.analogue ? g.repo.models.find((m) => concept(m.name) === g.analogue) : undefined;
  const analogueParam = itemRoute(g, analogueModel)?.path.split('/').pop();
  const idParam = analogueParam && /^(?:\{id\}|:id|<id>|<int:id>)$/.test(analogueParam) && !collection.includes(analogueParam) ? analogueParam : param(g, [resource, 'id']);
  const eps: PlannedEndpoint[] = [];
  const add = (method: string, path: string, description: string) => eps.push({ method, path, description, part: 'route', change: 'create' });
  if (options.form) {
    if (ops.includes('form') || ops.includes('create')) {
      add('GET', `${collection}/new`, `Shows the form to book a ${resource}.`);
      add('POST', `${collection}/new`, `Stores the ${resource} and redirects to the ${options.parent ? `${g.actorModel?.name.toLowerCase() ?? 'parent'}'s page` : 'list'}; shows the form again with field errors when the input is invalid.`);
    }
  } else {
    if (ops.includes('list')) add('GET', collection, `Lists ${plural(resource)}${options.parent ? ` of one ${options.parent.name.toLowerCase()}` : ''}.`);
    if (ops.includes('create')) add('POST', collection, `Creates a ${resource}; 201 with the stored row.`);
    if (ops.includes('read')) add('GET', `${collection}/${idParam}`, `One ${resource}; 404 when it does not exist.`);
    if (ops.includes('update')) add(g.repo.http === 'FastAPI' ? 'PUT' : 'PATCH', `${collection}/${idParam}`, `Updates a ${resource}.`);
    if (ops.includes('delete')) add('DELETE', `${collection}/${idParam}`, `Deletes a ${resource}.`);
  }
  bp.endpoints.push(...eps);
  bp.facts.targets = eps.map(routeLabel);
  bp.parts.push(base(g, 'route', 'route', java ? `${Res}Controller` : `${capitalizeWords(plural(resource))} routes`, routePath, {
    responsibility: `Serves ${eps.map((e) => `\`${routeLabel(e)}\``).join(', ')}${options.form ? ' with server-rendered pages' : ''}; validates the input and maps failures to ${options.form ? 'field errors on the form' : `${invalidStatusOf(g)}/404 answers`}.`,
    interfaces: eps.map((e) => ({ name: routeLabel(e), signature: options.form ? 'form → redirect or view' : 'JSON in → JSON out', description: e.description })),
    uses: persistence ? [persistence] : options.existing ? [] : ['model'],
    serves: ['create', 'list', 'form', 'validation', 'errors', 'read', 'update', 'delete', 'behaviour'],
    hours: options.form ? 2.5 : 2.5,
  }));
  // Registration: routers mounted by hand (FastAPI include_router, Express app.use); Spring scans components.
  if (!java && g.repo.grounded) {
    const mount = registrationFile(g);
    if (mount) bp.parts.push(modifyPart(g, 'registration', 'registration', `Mount the ${plural(resource)} router`, mount, [], 'where the other routers are mounted', { responsibility: `Mounts the new router${collection ? ` at \`${collection}\`` : ''} next to the others.`, uses: ['route'], serves: ['create'], hours: 0.5 }));
  }
  // Server-rendered views: a form next to the analogue's form.
  if (options.form && g.repo.grounded) {
    const templates = filesOfRole(g, 'template');
    const analogueForm = g.analogue ? templates.find((t) => concepts(baseName(t)).includes(g.analogue!) && /form/i.test(baseName(t))) : undefined;
    const formPath = analogueForm ? placeNew(g, 'template', resWords) : undefined;
    const fallback = templates.length > 0 ? { path: `${dirName(templates.find((t) => g.actorModel && concepts(t).includes(concept(g.actorModel.name))) ?? templates[0]!)}/${inStyle([...resWords, 'form'], 'camelCase')}.html`, change: 'create' as const, reason: 'next to the other page templates' } : undefined;
    const at = formPath && formPath.path.endsWith('.html') ? formPath : fallback;
    if (at) bp.parts.push(base(g, 'template:form', 'template', `${Res} booking form`, at, { responsibility: `The form for a new ${resource} (date, description) with field errors next to each input.`, serves: ['form', 'validation'], uses: ['route'], hours: 1.5 }));
  }
}

/** Where routers are mounted: the FastAPI router aggregator or app, the Express app. */
export function registrationFile(g: Grounding): string | undefined {
  const routeDir = roleDir(g, 'route');
  const candidates = [
    ...(routeDir !== undefined ? [`${dirName(routeDir)}/app.${g.repo.ext}`, `${dirName(routeDir)}/main.${g.repo.ext}`, `${routeDir}/index.${g.repo.ext}`, `${dirName(routeDir)}/index.${g.repo.ext}`] : []),
    ...['app', 'main', 'server', 'urls'].flatMap((name) => g.repo.sourceFiles.filter((f) => new RegExp(`(^|/)${name}\\.(ts|js|py)$`).test(f))),
  ];
  return candidates.find((c) => g.repo.sourceFiles.includes(c) && !(c.endsWith('__init__.py')));
}

export function resourceShape(g: Grounding, bp: Blueprint): void {
  const resource = g.newResource ?? g.request.objects.find((o) => !hasModel(g, o)) ?? g.request.keyConcepts[0] ?? 'item';
  const model = g.repo.models.find((m) => concept(m.name) === concept(resource));
  if (model && g.repo.routes.some((r) => concepts(r.path).includes(concept(resource)))) {
    // The resource exists with routes: extend them.
    endpointShape(g, bp);
    return;
  }
  // A model without routes (`Comment` in the schema, no comment routes) gets its routes; a new thing gets everything.
  // Its parent: the model it points to (`Comment.post` → Post), else the existing model the request names ("tags to posts" → Post), else the actor's.
  const parentModel =
    g.models.find((m) => m !== model && concept(m.name) !== concept(resource) && model?.fields.some((f) => concept(f) === concept(m.name))) ??
    (!model ? g.models.find((m) => concept(m.name) !== concept(resource) && g.request.keyConcepts.includes(concept(m.name))) : undefined) ??
    (g.actorModel && concept(g.actorModel.name) !== resource ? g.actorModel : undefined);
  const parentItem = parentModel ? itemRoute(g, parentModel) : undefined;
  const collection = newCollectionPath(g, resource, parentItem?.path);
  bp.facts.subject = plural(resource);
  resourceParts(g, bp, resource, collection, { form: isFormBased(g), parent: parentModel, ...(model ? { existing: model } : {}) });
  relatedFlowParts(g, bp, resource);
}

/**
 * The existing flows a new thing plugs into: an existing model the request names besides the new
 * resource ("discount codes … when they place an order" → Order) has its service and routes changed
 * to use it.
 */
export function relatedFlowParts(g: Grounding, bp: Blueprint, resource: string): void {
  if (!g.repo.grounded) return;
  // Only a flow the request places the change in: "when they place an order", "at checkout", "during sign-up".
  const inFlow = (m: ModelFact) => new RegExp(`\\b(?:when|whenever|while|at|during|before|after)\\b[^.;]*\\b${concept(m.name)}`, 'i').test(g.request.text) || new RegExp(`\\b(?:at|during)\\s+(?:the\\s+)?\\w+`, 'i').test(g.spec.title);
  const related = g.models.filter((m) => concept(m.name) !== concept(resource) && m !== g.actorModel && g.request.allConcepts.includes(concept(m.name)) && !bp.parts.some((p) => p.existing_symbols.includes(m.name) || p.key === 'model:parent') && inFlow(m)).slice(0, 1);
  for (const model of related) {
    const name = concept(model.name);
    const service = filesOfRole(g, 'service').filter((f) => concepts(baseName(f)).includes(name)).sort()[0];
    // The route that creates one (`POST /api/orders`), else the other writes of that resource.
    const writes = g.repo.routes.filter((r) => concepts(r.path).includes(name) && r.method !== 'GET');
    const creates = writes.filter((r) => r.method === 'POST' && !/[{<:]/.test(r.path));
    const routes = (creates.length > 0 ? creates : writes).slice(0, 1);
    const routeFile = routes[0]?.file;
    const newKey = bp.parts.find((p) => p.change === 'create' && (p.role === 'service' || p.role === 'route'))?.key;
    if (service && !bp.parts.some((p) => p.file_path === service)) {
      const wanted = new Set(g.request.allConcepts.filter((c) => !ACTORS.has(c) && c !== name));
      const symbols = g.repo.symbols(service).filter((sym) => sym.kind !== 'class' && concepts(sym.name).some((c) => wanted.has(c))).map((sym) => sym.name);
      bp.parts.push(modifyPart(g, `flow:${service}`, 'service', `${model.name} flow: use the ${resource}`, service, symbols, `holds the ${model.name.toLowerCase()} logic the request changes`, { responsibility: `Applies the ${resource} where ${plural(name)} are made (${symbols.slice(0, 3).map((x) => `\`${x}\``).join(', ') || `the ${name} service`}), so the stored ${name} reflects it.`, uses: newKey ? [newKey] : [], serves: ['behaviour', 'create'], hours: 2 }, true));
    }
    if (routeFile && !bp.parts.some((p) => p.file_path === routeFile)) {
      bp.parts.push(modifyPart(g, `flow:${routeFile}`, 'route', `${model.name} routes: accept the ${resource}`, routeFile, handlerSymbols(routes, routeFile), `declares ${routes.slice(0, 2).map((r) => `\`${routeLabel(r)}\``).join(', ')}`, { responsibility: `Accepts the ${resource} in ${routes.slice(0, 2).map((r) => `\`${routeLabel(r)}\``).join(', ')} and answers ${bp.facts.invalidStatus} when it is not valid.`, uses: service ? [`flow:${service}`] : [], serves: ['validation', 'behaviour'], hours: 1 }));
      for (const r of routes.slice(0, 2)) bp.endpoints.push({ method: r.method, path: r.path, description: `Existing; now takes the ${resource}.`, part: `flow:${routeFile}`, change: 'modify' });
    }
  }
}

export function dataShape(g: Grounding, bp: Blueprint): void {
  const model = g.models[0];
  if (model) {
    bp.parts.push(modifyPart(g, 'model', 'model', `${model.name} model`, model.file, [model.name], `defines ${model.name}`, { responsibility: `Gains the fields "${g.request.phrase}" asks for.`, serves: ['store', 'migrate', 'behaviour'], layer: 0, hours: 1 }));
    bp.models.push({ name: model.name, description: `Existing ${g.repo.orm ?? ''} model, changed as "${g.request.phrase}" asks.`.replace('  ', ' '), change: 'modify', file_path: model.file, fields: model.fields.slice(0, 8).map((f) => ({ name: f, type: 'existing' })) });
  }
  const migrationsDir = g.repo.files.map(dirName).find((d) => /(^|\/)(migrations|alembic\/versions|db\/migrate|db\/migration)$/.test(d));
  if (migrationsDir) {
    const placed: Placed = { path: `${migrationsDir}/${inStyle(g.request.keyConcepts.slice(0, 3), 'snake_case')}${g.repo.orm === 'Prisma' ? '/migration.sql' : g.repo.ext === 'py' ? '.py' : '.sql'}`, change: 'create', reason: `the repository's migrations live in ${migrationsDir}` };
    bp.parts.push(base(g, 'migration', 'migration', 'Schema migration', placed, { responsibility: 'Changes the schema and back-fills existing rows; reversible.', serves: ['migrate'], uses: ['model'], layer: 1, hours: 1.5 }));
  } else if (g.repo.grounded) {
    bp.notes.push(g.repo.orm === 'Prisma' ? 'The schema change is applied with `npx prisma migrate dev`, which writes the migration under prisma/migrations/.' : 'No migration directory was found: say how the schema change reaches existing databases before merging.');
  }
  for (const route of g.routes.slice(0, 2)) {
    bp.parts.push(modifyPart(g, `route:${route.file}`, 'route', `${baseName(route.file)} routes`, route.file, route.handler ? [route.handler] : [], `declares \`${routeLabel(route)}\``, { responsibility: 'Reads and writes the new fields.', serves: ['behaviour', 'validation'], uses: ['model'], hours: 1 }));
    bp.endpoints.push({ method: route.method, path: route.path, description: 'Existing route; reads/writes the new fields.', part: `route:${route.file}`, change: 'modify' });
  }
}

export function integrationShape(g: Grounding, bp: Blueprint): void {
  const service = g.request.keyConcepts[0] ?? 'provider';
  const clientWords = [service, 'client'];
  const placed = g.repo.hasCodebase ? placeNew(g, 'client', clientWords, { fallbackDir: roleDir(g, 'service') ?? (g.settingsFile ? dirName(g.settingsFile) : g.repo.sourceRoot) }) : undefined;
  const names = [settingName(g, [service, 'api', 'key']), settingName(g, [service, 'timeout', 'seconds'])];
  bp.facts.settings = [{ name: names[0]!, default: '(none)', description: `credential for ${service}; start-up fails without it when the feature is on`, existing: false }, { name: names[1]!, default: '10', description: 'request timeout', existing: false }];
  const settings = settingsPart(g, names, ['config']);
  if (settings) bp.parts.push(settings);
  bp.parts.push(base(g, 'client', 'client', `${capitalizeWords(service)} client`, placed, { responsibility: `Calls ${service} with a timeout and retries on 5xx/timeouts (at most 3, with backoff); turns its errors into the application's errors; injected so tests use a fake.`, uses: settings ? ['settings'] : [], serves: ['call', 'errors'], hours: 3 }));
  for (const route of g.routes.slice(0, 2)) bp.parts.push(modifyPart(g, `route:${route.file}`, 'route', `${baseName(route.file)} routes`, route.file, route.handler ? [route.handler] : [], `declares \`${routeLabel(route)}\``, { responsibility: `Calls the ${service} client where "${g.request.phrase}" needs it.`, uses: ['client'], serves: ['behaviour', 'errors'], hours: 1.5 }));
}

export function jobShape(g: Grounding, bp: Blueprint): void {
  const jobWords = [...g.request.keyConcepts.slice(0, 2), 'job'];
  const dir = g.repo.files.map(dirName).find((d) => /(^|\/)(jobs|tasks|workers|cron|scheduler)$/.test(d));
  const placed = g.repo.hasCodebase ? placeNew(g, 'job', jobWords, dir !== undefined ? { near: dir } : { fallbackDir: roleDir(g, 'service') ?? g.repo.sourceRoot }) : undefined;
  bp.parts.push(base(g, 'job', 'job', `${capitalizeWords(g.request.phrase)} job`, placed, { responsibility: 'Runs on its schedule with an injected clock; each run is idempotent and logs its outcome.', serves: ['schedule', 'behaviour', 'observability'], hours: 3 }));
  const entry = g.repo.sourceFiles.find((f) => /(^|\/)(main|app|server|worker)\.(ts|js|py|go)$/.test(f) || /Application\.java$/.test(f));
  if (entry) bp.parts.push(modifyPart(g, 'registration', 'registration', 'Schedule the job', entry, [], 'the application starts here', { responsibility: 'Starts the job on its schedule and stops it on shutdown.', uses: ['job'], serves: ['schedule'], hours: 0.5 }));
}

export function uiShape(g: Grounding, bp: Blueprint): void {
  const touched = g.touches.filter((t) => t.role === 'template' || t.role === 'ui').slice(0, 2);
  for (const t of touched) bp.parts.push(modifyPart(g, `ui:${t.path}`, t.role, `${baseName(t.path)} view`, t.path, t.symbols, t.reason, { responsibility: `Shows ${g.request.phrase}.`, serves: ['display', 'behaviour'], hours: 2 }));
  if (touched.length === 0) {
    const placed = g.repo.hasCodebase ? placeNew(g, 'ui', g.request.keyConcepts.slice(0, 2), { fallbackDir: roleDir(g, 'template') ?? g.repo.sourceRoot }) : undefined;
    bp.parts.push(base(g, 'ui', 'ui', `${capitalizeWords(g.request.phrase)} view`, placed, { responsibility: `Shows ${g.request.phrase} with accessible controls and text states.`, serves: ['display', 'behaviour'], hours: 3 }));
  }
}

