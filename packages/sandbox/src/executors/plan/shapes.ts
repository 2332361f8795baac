/** Blueprint shapes for rules, endpoints, flows and changes to an existing implementation. */
import { collectionSegment, routeLabel, type Grounding, type Role } from './ground';
import { filesOfRole, placeNew, roleDir, type Placed } from './place';
import { baseName, concept, concepts, dirName, inStyle, plural, splitWords } from './words';
import { capitalizeWords, base, modifyPart, routeFilesOf, handlerSymbols, isFormBased, ident, settingName, settingsPart, newCollectionPath, itemRoute, childModel, statedNumbers, type Blueprint } from './parts';
import { resourceParts, registrationFile, relatedFlowParts } from './resourceShapes';

export function ruleShape(g: Grounding, bp: Blueprint): void {
  const stated = statedNumbers(g);
  const login = g.request.allConcepts.includes('login');
  const rateLimit = g.request.traits.includes('rate_limit');
  // Login attempts are the routes that take credentials: not token tests, refreshes or logouts.
  const targets = login ? g.routes.filter((r) => r.method !== 'GET' && r.matched.includes('login') && !splitWords(`${r.path} ${r.handler ?? ''}`).some((w) => ['test', 'logout', 'refresh', 'me', 'verify'].includes(w))) : g.routes;
  const top = targets[0]?.score ?? 0;
  const targetRoutes = login ? targets.filter((r) => r.score >= top).slice(0, 2) : targets.slice(0, 3);
  bp.facts.targets = targetRoutes.map(routeLabel);
  bp.facts.subject = login ? 'login attempts' : targetRoutes.length > 0 ? `requests to ${bp.facts.targets.join(', ')}` : 'API requests';
  const featureWords = rateLimit ? (login ? ['login', 'rate', 'limit'] : ['rate', 'limit']) : g.request.keyConcepts.slice(0, 2);
  if (rateLimit) {
    const count = stated.count ?? (login ? 5 : 100);
    const window = stated.windowSeconds ?? (login ? 900 : 60);
    bp.facts.defaults = { max: count, window };
    const maxName = settingName(g, login ? ['login', 'max', 'attempts'] : ['rate', 'limit', 'max', 'requests']);
    const windowName = settingName(g, login ? ['login', 'attempt', 'window', 'seconds'] : ['rate', 'limit', 'window', 'seconds']);
    bp.facts.settings = [
      { name: maxName, default: String(count), description: login ? 'failed login attempts allowed per email and client address in one window' : 'requests allowed per client in one window', existing: false },
      { name: windowName, default: String(window), description: 'length of the counting window in seconds', existing: false },
    ];
  }
  const settings = settingsPart(g, bp.facts.settings.map((s) => s.name), ['config'], featureWords.filter((w) => w !== 'login' || login));
  if (settings) bp.parts.push(settings);

  // The limiter (or rule) itself: in the middleware directory when there is one, else next to the auth dependencies / settings.
  const middlewareDir = roleDir(g, 'middleware');
  const depsFile = g.repo.auth.find((a) => a.kind === 'dependency')?.file;
  const near = middlewareDir ?? (depsFile ? dirName(depsFile) : g.settingsFile ? dirName(g.settingsFile) : undefined);
  const java = g.repo.ext === 'java' || g.repo.ext === 'kt';
  const limiterWords = java ? [...featureWords, 'interceptor'] : featureWords;
  const placed = g.repo.hasCodebase ? placeNew(g, 'middleware', limiterWords, { ...(near !== undefined ? { near } : {}), fallbackDir: g.repo.sourceRoot }) : undefined;
  const how = g.repo.http === 'FastAPI' ? 'a FastAPI dependency' : g.repo.http === 'Express' ? 'Express middleware' : g.repo.http === 'Fastify' ? 'a Fastify `onRequest` hook' : java ? 'a Spring `HandlerInterceptor`' : g.repo.http ? `${g.repo.http} middleware` : 'a guard in front of the handler';
  const limiterName = rateLimit ? `${login ? 'Login attempt' : 'Request'} limiter (${how})` : `${capitalizeWords(g.request.phrase)} (${how})`;
  const fn = ident(g, rateLimit ? (login ? ['check', 'login', 'attempts'] : ['rate', 'limit']) : ['enforce', ...featureWords]);
  bp.parts.push(
    base(g, 'middleware', 'middleware', limiterName, placed, {
      responsibility: rateLimit
        ? `Counts ${login ? 'failed login attempts per email and client address' : 'requests per client'} in a fixed window of ${bp.facts.defaults['window']} s (an in-memory store behind a small interface${g.repo.frameworks.some((f) => /redis/i.test(f)) ? '; Redis when several instances run' : ''}), refuses with 429 and Retry-After over ${bp.facts.defaults['max']}, and logs each refusal. The clock is injected.`
        : `Applies the rule "${g.request.phrase}" in front of ${bp.facts.targets.join(', ') || 'the affected routes'} and answers refusals in the API's error shape.`,
      interfaces: rateLimit
        ? [
            { name: fn, signature: g.repo.ext === 'py' ? `(request: Request, email: str) -> None  # raises HTTPException(429)` : g.repo.ext === 'java' ? 'boolean preHandle(HttpServletRequest, HttpServletResponse, Object)' : '(req: Request, res: Response, next: NextFunction) => void', description: 'Refuses the request with 429 and Retry-After when the window is full.' },
            ...(login ? [{ name: ident(g, ['record', 'login', 'failure']), signature: g.repo.ext === 'py' ? '(key: str) -> None' : '(key: string) => void', description: 'Counts one failed attempt.' }, { name: ident(g, ['clear', 'login', 'failures']), signature: g.repo.ext === 'py' ? '(key: str) -> None' : '(key: string) => void', description: 'Forgets the failures after a successful login.' }] : []),
          ]
        : [{ name: fn, signature: '(request) => decision', description: `Enforces ${g.request.phrase}.` }],
      uses: settings ? ['settings'] : [],
      serves: ['limit', 'refusal', 'observability', 'behaviour'],
      hours: 3,
    }),
  );
  for (const file of routeFilesOf(targetRoutes)) {
    const own = targetRoutes.filter((r) => r.file === file);
    bp.parts.push(
      modifyPart(g, `route:${file}`, 'route', `${baseName(file)} routes: apply the ${rateLimit ? 'limiter' : 'rule'}`, file, handlerSymbols(own, file), `declares ${own.map((r) => `\`${routeLabel(r)}\``).join(', ')}`, {
        responsibility: rateLimit && login
          ? `Runs the limiter before ${own.map((r) => `\`${routeLabel(r)}\``).join(', ')} checks the credentials, records a failed attempt when they are wrong and clears the count when they are right.`
          : `Puts the rule in front of ${own.map((r) => `\`${routeLabel(r)}\``).join(', ')}.`,
        uses: ['middleware'],
        serves: ['refusal', 'reset'],
        hours: 1,
      }, true),
    );
    for (const route of own) bp.endpoints.push({ method: route.method, path: route.path, description: rateLimit ? `Existing route, now refused with 429 and Retry-After after ${bp.facts.defaults['max']} failed attempts in ${bp.facts.defaults['window']} s.` : `Existing route, now behind ${g.request.phrase}.`, part: `route:${file}`, change: 'modify' });
  }
  if (targetRoutes.length === 0 && g.repo.grounded) {
    // No single route: the rule sits where the routers are mounted.
    const mount = registrationFile(g);
    if (mount) bp.parts.push(modifyPart(g, 'registration', 'registration', `Mount the ${rateLimit ? 'limiter' : 'rule'} in ${baseName(mount)}`, mount, [], 'where the routers are mounted', { responsibility: `Installs the ${rateLimit ? 'limiter' : 'rule'} in front of every API router.`, uses: ['middleware'], serves: ['refusal'], hours: 0.5 }));
  }
  if (rateLimit) {
    bp.models.push({
      name: `${inStyle(featureWords.filter((w) => w !== 'limit'), 'PascalCase') || 'Rate'}Window`,
      description: `One counting window of the limiter, kept in memory (not a database table): ${login ? 'key = email + client address' : 'key = client identifier'}.`,
      change: 'create',
      fields: [
        { name: 'key', type: 'string', description: login ? 'lower-cased email and client address; the password is never stored' : 'client identifier (API key hash or address)' },
        { name: 'window_start', type: 'timestamp', description: 'start of the window the count belongs to' },
        { name: 'count', type: 'integer', description: login ? 'failed attempts in the window' : 'requests in the window' },
      ],
    });
  }
}

export function endpointShape(g: Grounding, bp: Blueprint): void {
  const pagination = g.request.traits.includes('pagination');
  const model = g.models[0];
  const resource = model ? concept(model.name) : g.request.objects[0] ?? g.request.keyConcepts.find((c) => c !== 'paginate' && c !== 'list') ?? 'item';
  const listRoutes = g.routes.filter((r) => r.method === 'GET' && !/[{<:][^/]*$/.test(r.path.replace(/\/$/, '')));
  const targets = (listRoutes.length > 0 ? listRoutes : g.routes.filter((r) => r.method === 'GET')).slice(0, 1);
  const target = targets[0] ?? g.contextRoutes.find((r) => r.method === 'GET' && !/[{<:]/.test(r.path));
  const plural_ = plural(resource);
  bp.facts.targets = target ? [routeLabel(target)] : [];
  bp.facts.subject = `the ${plural_} list`;
  const snake = g.repo.ext === 'py';
  const spring = g.repo.http === 'Spring';
  if (pagination) {
    const size = statedNumbers(g).pageSize ?? 20;
    bp.facts.params = { page: 'page', size: spring ? 'size' : snake ? 'page_size' : 'pageSize', total: snake ? 'total' : 'total' };
    bp.facts.defaults = { page: 1, size, max: 100 };
  }
  const routeFile = target?.file;
  if (routeFile) {
    bp.parts.push(
      modifyPart(g, 'route', 'route', `${capitalizeWords(plural_)} list route`, routeFile, target?.handler ? [target.handler] : [], target ? `declares \`${routeLabel(target)}\`` : '', {
        responsibility: pagination
          ? `Reads and validates \`${bp.facts.params['page']}\` and \`${bp.facts.params['size']}\` on \`${routeLabel(target)}\`, passes them to the query and answers the page with its total.`
          : `Adds ${g.request.phrase} to \`${routeLabel(target)}\`.`,
        serves: ['list', 'defaults', 'validation', 'errors', 'behaviour'],
        hours: 1.5,
      }, true),
    );
    bp.endpoints.push({ method: target.method, path: target.path, description: pagination ? `Existing list, now paged: \`?${bp.facts.params['page']}=1&${bp.facts.params['size']}=${bp.facts.defaults['size']}\`; the answer carries the items and the total.` : `Existing list, now with ${g.request.phrase}.`, part: 'route', change: 'modify' });
  }
  // The query behind it: a service / crud / repository file naming the resource.
  const service = [...filesOfRole(g, 'service'), ...filesOfRole(g, 'repository')].filter((f) => concepts(baseName(f)).includes(resource) || (filesOfRole(g, 'service').length === 1 && /crud/.test(f))).sort()[0];
  if (service) {
    const symbols = [...(g.touches.find((t) => t.path === service)?.symbols ?? []), ...g.repo.symbols(service).filter((s) => s.kind !== 'class' && concepts(s.name).some((c) => ['list', 'all', 'search', 'find', 'read', 'get', resource, plural(resource)].includes(c))).map((s) => s.name)];
    bp.parts.push(modifyPart(g, 'service', 'service', `${capitalizeWords(resource)} query`, service, symbols, `reads the ${plural_} from the database`, {
      responsibility: pagination ? `Fetches one page (${snake ? 'offset/limit' : spring ? 'a `Pageable`' : '`skip`/`take`'}) in a stable order (newest first, then id) and counts the total with the same filter.` : `Implements ${g.request.phrase} in the query.`,
      serves: ['list', 'defaults'],
      hours: 1,
    }));
    for (const part of bp.parts) if (part.role === 'route') part.uses.push('service');
  }
  const schema = g.repo.sourceFiles.find((f) => model && f === model.file);
  if (pagination && schema && g.repo.ext === 'py') {
    bp.parts.push(modifyPart(g, 'schema', 'schema', `${capitalizeWords(plural_)} page schema`, schema, [], `holds the response shapes of ${plural_}`, { responsibility: `The page answer: the items, \`total\`, \`${bp.facts.params['page']}\` and \`${bp.facts.params['size']}\`.`, serves: ['list'], hours: 0.5 }));
  }
  if (pagination) {
    bp.models.push({
      name: `${inStyle([resource], 'PascalCase')}Page`,
      description: `The answer of ${bp.facts.targets[0]}: one page of ${plural_} and where it is in the whole list.`,
      change: 'create',
      fields: [
        { name: 'data', type: `${inStyle([resource], 'PascalCase')}[]`, description: `at most \`${bp.facts.params['size']}\` ${plural_}, newest first` },
        { name: 'total', type: 'integer', description: `number of ${plural_} matching the filter` },
        { name: bp.facts.params['page']!, type: 'integer', description: `1-based page number (default ${bp.facts.defaults['page']})` },
        { name: bp.facts.params['size']!, type: 'integer', description: `page size (default ${bp.facts.defaults['size']}, at most ${bp.facts.defaults['max']})` },
      ],
    });
  }
  if (model) bp.models.push({ name: model.name, description: `Existing ${g.repo.orm ?? ''} model in ${model.file}; unchanged (an index on the sort column keeps pages fast to read).`.replace('  ', ' '), change: 'none', file_path: model.file, ...(model.table ? { table: model.table } : {}), fields: model.fields.slice(0, 8).map((f) => ({ name: f, type: 'existing' })) });
}

export function flowShape(g: Grounding, bp: Blueprint): void {
  if (g.existing) {
    existingShape(g, bp);
    return;
  }
  const resource = g.newResource ?? g.request.objects[0] ?? g.request.keyConcepts[0] ?? 'request';
  const parent = childModel(g, g.actorModel) ?? g.actorModel;
  const parentItem = itemRoute(g, parent) ?? (parent !== g.actorModel ? undefined : undefined);
  const actorItem = itemRoute(g, g.actorModel);
  // Nested under the parent's item route when the parent has one, else under the actor's, else a collection of its own.
  const nestedUnder = parentItem?.path ?? (parent && actorItem ? `${actorItem.path}/${collectionSegment(concept(parent.name), g.repo.routes)}/${param(g, [concept(parent.name), 'id'])}` : actorItem?.path);
  const collection = newCollectionPath(g, resource, nestedUnder);
  const form = isFormBased(g);
  bp.facts.formBased = form;
  bp.facts.subject = plural(resource);
  resourceParts(g, bp, resource, collection, { form, parent, only: form ? ['create', 'form'] : ['create', 'list'] });
  if (g.actorModel && form) {
    const page = filesOfRole(g, 'template').find((f) => concepts(baseName(f)).includes(concept(g.actorModel!.name)) && /detail|show|view/i.test(baseName(f)));
    if (page) bp.parts.push(modifyPart(g, 'template:page', 'template', `${g.actorModel.name} page: list and book ${plural(resource)}`, page, [], `the ${g.actorModel.name.toLowerCase()}'s page, where the ${plural(resource)} are shown`, { responsibility: `Lists each ${parent?.name.toLowerCase() ?? 'item'}'s ${plural(resource)} (date, description) and links to the booking form.`, serves: ['display'], uses: ['route'], hours: 1 }));
  }
  if (g.request.traits.includes('notify')) notificationPart(g, bp, resource);
  if (!g.request.traits.includes('booking')) relatedFlowParts(g, bp, resource);
}

/** The feature exists: the parts are the files that implement it, changed only where the requirements find a gap. */
export function existingShape(g: Grounding, bp: Blueprint): void {
  const existing = g.existing!;
  bp.notes.push(`Already implemented in ${existing.summary}. This plan reviews and extends that code; it adds no second implementation.`);
  bp.facts.targets = existing.routes.map(routeLabel);
  bp.facts.subject = g.request.phrase;
  for (const file of existing.files) {
    const own = existing.routes.filter((r) => r.file === file);
    const symbols = [...new Set([...handlerSymbols(own, file), ...(g.touches.find((t) => t.path === file)?.symbols ?? [])])];
    bp.parts.push(modifyPart(g, `route:${file}`, 'route', `Existing ${g.request.phrase} routes`, file, symbols, `already implements ${own.map((r) => `\`${routeLabel(r)}\``).join(', ')}`, {
      responsibility: `Keeps serving ${own.map((r) => `\`${routeLabel(r)}\``).join(' and ')}; changed only where a requirement below is not met yet (the review task names each gap).`,
      serves: ['request', 'confirm', 'token', 'unknown', 'errors', 'validation', 'behaviour', 'create', 'read', 'update', 'delete', 'list'],
      hours: 2,
    }));
  }
  // Helpers the flow calls (email rendering, token helpers) that the index found by name.
  for (const touch of g.touches.filter((t) => !existing.files.includes(t.path) && ['notification', 'service', 'auth'].includes(t.role) && t.score >= 3).slice(0, 2)) {
    bp.parts.push(modifyPart(g, `${touch.role}:${touch.path}`, touch.role, `${capitalizeWords(baseName(touch.path).replace(/_/g, ' '))} helpers`, touch.path, touch.symbols, touch.reason, {
      responsibility: touch.role === 'notification' ? `Renders and sends the message of ${g.request.phrase} (${touch.symbols.join(', ') || 'the mail helpers'}).` : `Helpers of ${g.request.phrase}: ${touch.symbols.join(', ')}.`,
      serves: touch.role === 'notification' ? ['notify', 'request'] : ['token'],
      hours: 1,
    }));
  }
  for (const part of bp.parts) if (part.role === 'route') part.uses.push(...bp.parts.filter((p) => p.role !== 'route').map((p) => p.key));
  for (const route of existing.routes) bp.endpoints.push({ method: route.method, path: route.path, description: `Existing${route.handler ? ` (${route.handler})` : ''}: kept, extended where a requirement is not met.`, part: `route:${route.file}`, change: 'modify' });
  const expiry = g.settings.find((s) => /expire|ttl|valid/i.test(s.name) && concepts(s.name).some((c) => g.request.keyConcepts.includes(c)));
  if (expiry) bp.facts.settings.push({ name: expiry.name, default: '', description: `existing setting in ${expiry.file}`, existing: true });
}

export function notificationPart(g: Grounding, bp: Blueprint, resource: string): void {
  const existing = filesOfRole(g, 'notification')[0];
  if (existing) {
    bp.parts.push(modifyPart(g, 'notification', 'notification', 'Notification email', existing, [], 'the repository sends its email from here', { responsibility: `Renders and sends the ${resource} email with the existing mail helper.`, serves: ['notify'], hours: 1.5 }));
  } else {
    const placed = g.repo.hasCodebase ? placeNew(g, 'notification', ['notifications'], { fallbackDir: roleDir(g, 'service') ?? g.repo.sourceRoot }) : undefined;
    bp.parts.push(base(g, 'notification', 'notification', 'Notification sender', placed, { responsibility: `Sends the ${resource} message through an injected sender, so tests use a fake one.`, serves: ['notify'], hours: 2.5 }));
  }
  for (const part of bp.parts) if (part.role === 'route' || part.role === 'service') part.uses.push('notification');
}

/** A new file for a resource: the analogue's file of the role renamed, else `words + suffix` in the role's directory. */
export function placeFor(g: Grounding, role: Role, words: readonly string[], suffix: readonly string[], options: { near?: string; fallbackDir?: string } = {}): Placed {
  const analogue = placeNew(g, role, words, options.near !== undefined ? { near: options.near } : {});
  if (analogue.reason.startsWith('modelled on')) return analogue;
  return placeNew(g, role, [...words, ...suffix], { analogue: false, ...options });
}

/** Path parameters as the repository writes them: `{id}` (FastAPI, Spring), `:id` (Express), `<id>` (Flask). */
export function param(g: Grounding, words: readonly string[]): string {
  const name = ident(g, words);
  if (g.repo.routes.some((r) => /\/:[A-Za-z]/.test(r.path))) return `:${name}`;
  if (g.repo.routes.some((r) => /<[A-Za-z]/.test(r.path))) return `<${name}>`;
  return `{${name}}`;
}

/** The parts of a new resource: model (+ parent relation), repository or query layer, route, registration, views, in the stack's layout. */
