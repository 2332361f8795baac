/**
 * Requirements written for the kind of change and the code base: the routes, parameters, settings,
 * views and test files of the blueprint are named in the EARS text, and every criterion names what a
 * test observes (a status code, a stored row, a header, an email sent, a log entry, a page shown).
 * Each recipe draft says which aspect it covers, so clause-derived requirements from the description
 * replace the recipe drafts they already state.
 */
import type { Priority } from '@specline/protocol';
import type { RequirementCategory } from '../requirements';
import type { Aspect, Blueprint } from './blueprint';
import type { Grounding } from './ground';
import { routeLabel } from './ground';
import { testCommand } from './place';
import { concept, concepts, plural } from './words';

export interface Draft {
  title: string;
  type: string;
  priority: Priority;
  category: RequirementCategory;
  aspect: Aspect;
  text: string;
  criteria: string[];
  source: string;
  /** Indices of earlier drafts this one builds on. */
  dependsOn: number[];
  /** Existing code the requirement is already served by, when it is. */
  existing?: string;
  /** Clauses of the description stating this aspect make the draft redundant. */
  covers?: RegExp;
}

const code = (text: string) => `\`${text}\``;

function seconds(n: number): string {
  if (n % 3600 === 0) return `${n / 3600} hour${n === 3600 ? '' : 's'}`;
  if (n % 60 === 0) return `${n / 60} minute${n === 60 ? '' : 's'}`;
  return `${n} seconds`;
}

function testFiles(bp: Blueprint): string {
  const files = bp.tests.map((t) => t.placed.path);
  if (files.length === 0) return '';
  return files.map(code).join(' and ');
}

/** The "tests" requirement every plan keeps: specific to the runner, the files and the requirements. */
export function testsDraft(g: Grounding, bp: Blueprint, functional: readonly number[], topic: string): Draft {
  const ids = functional.map((i) => `REQ-${String(i + 1).padStart(3, '0')}`);
  const range = ids.length === 0 ? 'this change' : ids.length === 1 ? ids[0]! : `${ids[0]} to ${ids[ids.length - 1]}`;
  const files = testFiles(bp);
  const runner = bp.runner;
  const command = g.repo.hasCodebase ? testCommand(g) : undefined;
  const timeBased = bp.facts.defaults['window'] !== undefined || /\b(expire|expiry|hours?|minutes?|window|date)\b/i.test(bp.facts.settings.map((s) => s.name).join(' ') + g.spec.description);
  return {
    title: `Automated tests for ${topic}`,
    type: 'constraint',
    priority: 'medium',
    category: 'testing',
    aspect: 'testing',
    text: `WHERE the ${runner} suite runs, THE SYSTEM SHALL have tests of ${topic}${files ? ` in ${files}` : ''} that check every acceptance criterion of ${range}.`,
    criteria: [
      `${files ? `The tests in ${files}` : `The ${runner} tests`} have at least one test per acceptance criterion of ${range}, named after the criterion id (e.g. \`${ids[0] ?? 'REQ-001'}.AC-1\`).`,
      `${command ? `\`${command}\`` : `The ${runner} suite`} passes with the new tests, and each new test fails when the behaviour it checks is removed.`,
      ...(timeBased ? ['The time-dependent tests pass with an injected clock: no test sleeps, so they finish in under 5 seconds.'] : []),
    ],
    source: 'kept requirement: tests, in the repository\'s runner and layout',
    dependsOn: [...functional],
  };
}

/** The settings requirement, when the change adds or reads settings. */
function settingsDraft(g: Grounding, bp: Blueprint, topic: string, example: { name: string; value: string; effect: string }, defaultsEffect: string): Draft {
  const names = bp.facts.settings.filter((s) => !s.existing);
  const where = g.settingsFile ? ` in ${code(g.settingsFile)}` : '';
  const list = names.map((s) => `${code(s.name)} (default ${s.default})`).join(' and ');
  return {
    title: `${capitalize(topic)} settings`,
    type: 'constraint',
    priority: 'medium',
    category: 'config',
    aspect: 'config',
    text: `WHERE ${names.map((s) => code(s.name)).join(' or ')} is set${where}, THE SYSTEM SHALL use that value for the ${topic} instead of the default (${names.map((s) => `${s.default}`).join(', ')}).`,
    criteria: [
      `With neither setting, ${defaultsEffect}.`,
      `With ${code(`${example.name}=${example.value}`)}, ${example.effect}.`,
      `A value of 0, a negative number or a non-number for ${list} stops start-up with an error naming the setting.`,
    ],
    source: 'settings the plan adds',
    dependsOn: [0],
    covers: /\b(configur\w*|setting|environment variable)\b/i,
  };
}

function rateLimitDrafts(g: Grounding, bp: Blueprint): Draft[] {
  const login = g.request.allConcepts.includes('login');
  const max = bp.facts.defaults['max'] ?? 5;
  const window = bp.facts.defaults['window'] ?? 900;
  const target = bp.facts.targets[0];
  const on = target ? ` on ${code(target)}` : '';
  const drafts: Draft[] = [];
  const [maxSetting, windowSetting] = bp.facts.settings;
  if (login) {
    const wrong = 'the existing wrong-credentials status';
    drafts.push({
      title: 'Refuse login attempts over the limit',
      type: 'security',
      priority: 'high',
      category: 'rule',
      aspect: 'limit',
      text: `WHEN a client has made ${max} failed login attempts for one email from one address within ${seconds(window)}, THE SYSTEM SHALL answer further login attempts for that email and address${on} with HTTP 429 (Too Many Requests) and a Retry-After header, without checking the password, until the window ends.`,
      criteria: [
        `The ${ordinal(max + 1)} attempt with a wrong password for the same email and address within ${window} s is answered 429 with a Retry-After header holding the whole number of seconds left in the window (1 to ${window}).`,
        `Attempts 1 to ${max} are answered with ${wrong}, and a right password on attempt ${max} is answered 200 with an access token.`,
        'An attempt for another email, or for the same email from another address, in the same window is not refused.',
        `Once the window has passed (injected clock, no real waiting), a login with the right password is answered 200 again.`,
      ],
      source: 'rate-limit login attempts: the limit',
      dependsOn: [],
      covers: /\b\d+\s+(?:failed\s+)?(?:login\s+)?attempts?\b|\blimit\b.*\battempts?\b/i,
    });
    drafts.push({
      title: 'A successful login clears the failed attempts',
      type: 'security',
      priority: 'medium',
      category: 'behaviour',
      aspect: 'reset',
      text: `WHEN a login${on} succeeds, THE SYSTEM SHALL clear the failed login attempts counted for that email and address.`,
      criteria: [
        `After ${max - 1} failed attempts and one successful login, the next ${max} failed attempts are answered with the wrong-credentials status and only the one after them with 429.`,
        'After a successful login the limiter store holds no counter for that email and address.',
      ],
      source: 'rate-limit login attempts: reset on success',
      dependsOn: [0],
      covers: /\b(success\w*|reset|clear\w*)\b/i,
    });
  } else {
    drafts.push({
      title: `Limit requests${target ? ` to ${target}` : ''}`,
      type: 'functional',
      priority: 'high',
      category: 'rule',
      aspect: 'limit',
      text: `WHEN a client has made ${max} requests${on} within ${seconds(window)}, THE SYSTEM SHALL answer its further requests with HTTP 429 (Too Many Requests) and a Retry-After header until the window ends.`,
      criteria: [
        `The ${ordinal(max + 1)} request from one client within ${window} s is answered 429 with a Retry-After header holding the seconds left in the window.`,
        `Requests 1 to ${max} are served as before the change.`,
        'Requests of another client in the same window are not refused.',
      ],
      source: 'rate limit: the limit',
      dependsOn: [],
      covers: /\blimit\b|\bper (?:second|minute|hour|day)\b|\b429\b/i,
    });
  }
  if (maxSetting && windowSetting) {
    drafts.push(
      settingsDraft(
        g,
        bp,
        login ? 'login rate limit' : 'rate limit',
        { name: maxSetting.name, value: '3', effect: `the 4th ${login ? 'failed attempt' : 'request'} in the window is answered 429` },
        `the ${ordinal(max + 1)} ${login ? 'failed attempt' : 'request'} within ${window} s is answered 429`,
      ),
    );
  }
  drafts.push({
    title: login ? 'Log refused login attempts' : 'Log rate-limited requests',
    type: 'non_functional',
    priority: 'medium',
    category: 'observability',
    aspect: 'observability',
    text: `WHEN a ${login ? 'login attempt' : 'request'} is refused by the rate limit, THE SYSTEM SHALL write one warning log entry \`${login ? 'login_rate_limited' : 'rate_limited'}\` with ${login ? 'a hash of the email, ' : ''}the client address and the seconds until a retry is allowed${login ? ', and never the password' : ''}.`,
    criteria: [
      `Each refused ${login ? 'attempt' : 'request'} writes exactly one log entry with the event \`${login ? 'login_rate_limited' : 'rate_limited'}\` and the client address.`,
      login ? 'No log entry contains the submitted password or the plain email address.' : 'No log entry contains an API key or token; at most a hash of it.',
    ],
    source: 'rate limit: refusals are visible to operators',
    dependsOn: [0],
    covers: /\blog(?:s|ged|ging)?\b|\bmetrics?\b/i,
  });
  return drafts;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${s}`;
}

function paginationDrafts(bp: Blueprint): Draft[] {
  const target = bp.facts.targets[0] ?? `GET /${bp.facts.subject}`;
  const path = target.replace(/^[A-Z]+\s+/, '');
  const page = bp.facts.params['page'] ?? 'page';
  const size = bp.facts.params['size'] ?? 'page_size';
  const dflt = bp.facts.defaults['size'] ?? 20;
  const max = bp.facts.defaults['max'] ?? 100;
  const things = bp.facts.subject.replace(/^the\s+/, '').replace(/\s+list$/, '');
  const status = bp.facts.invalidStatus;
  return [
    {
      title: `Paginate ${bp.facts.subject}`,
      type: 'functional',
      priority: 'high',
      category: 'behaviour',
      aspect: 'list',
      text: `WHEN a client sends ${code(target)} with ${code(page)} and ${code(size)}, THE SYSTEM SHALL answer 200 with that page of ${things}, newest first, and the total number of ${things} in the body.`,
      criteria: [
        `${code(`${path}?${page}=2&${size}=10`)} answers 200 with at most 10 ${things}: the 11th to the 20th newest.`,
        `The body has \`data\` (the ${things}), \`total\`, ${code(page)} and ${code(size)}; \`total\` equals the number of ${things} the unpaged list has.`,
        `Reading every page in turn returns each of the ${things} exactly once, also when two or more share a creation time (ties are ordered by id).`,
      ],
      source: `pagination of ${code(target)}`,
      dependsOn: [],
      covers: /\bpag(?:e|es|inat\w*)\b.*\b(size|limit|offset|cursor|per page)\b/i,
    },
    {
      title: `Default page of ${bp.facts.subject}`,
      type: 'functional',
      priority: 'medium',
      category: 'behaviour',
      aspect: 'defaults',
      text: `WHEN ${code(target)} is sent without ${code(page)} or ${code(size)}, THE SYSTEM SHALL answer with page 1 and a page size of ${dflt}.`,
      criteria: [
        `${code(path)} answers 200 with the ${dflt} newest ${things}, ${code(`${page}`)} = 1 and ${code(size)} = ${dflt}.`,
        `A ${code(page)} beyond the last page answers 200 with an empty \`data\` list and the same \`total\`.`,
      ],
      source: `pagination of ${code(target)}: defaults`,
      dependsOn: [0],
      covers: /\bdefault\b/i,
    },
    {
      title: `Refuse invalid paging parameters on ${target}`,
      type: 'functional',
      priority: 'high',
      category: 'errors',
      aspect: 'validation',
      text: `IF ${code(page)} or ${code(size)} is not a whole number of at least 1, or ${code(size)} is above ${max}, THEN THE SYSTEM SHALL answer ${code(target)} with ${status} and an error body naming the parameter.`,
      criteria: [
        `${code(`${path}?${size}=${max + 1}`)} answers ${status} and the error body names ${code(size)}.`,
        `${code(`${path}?${page}=0`)} and ${code(`${path}?${page}=abc`)} answer ${status}.`,
        'A refused request runs no database query (the query function is not called in the test).',
      ],
      source: `pagination of ${code(target)}: invalid parameters`,
      dependsOn: [0],
      covers: /\binvalid\b|\b4\d\d\b|\bmaximum\b|\bat most\b/i,
    },
  ];
}

function passwordResetDrafts(g: Grounding, bp: Blueprint): Draft[] {
  const routes = g.existing?.routes ?? [];
  const requestRoute = routes.find((r) => /[{<:]email|recover|forgot/i.test(r.path)) ?? routes[0];
  const confirmRoute = routes.find((r) => r !== requestRoute) ?? requestRoute;
  const request = requestRoute ? routeLabel(requestRoute) : 'POST /password-reset';
  const confirm = confirmRoute ? routeLabel(confirmRoute) : 'POST /password-reset/confirm';
  const expiry = bp.facts.settings.find((s) => s.existing);
  const expires = expiry ? `after ${code(expiry.name)} hours` : 'after 1 hour';
  const login = g.repo.routes.find((r) => r.method === 'POST' && concepts(`${r.path} ${r.handler ?? ''}`).includes('login') && !/test/i.test(r.path));
  const userModel = g.repo.models.find((m) => concept(m.name) === 'user');
  const hashField = userModel?.fields.find((f) => /hash/i.test(f));
  const existingNote = (route: string) => (g.existing ? `already served by ${code(route)} in ${g.existing.files.join(', ')}` : undefined);
  return [
    {
      title: 'Email a password reset link',
      type: 'security',
      priority: 'high',
      category: 'behaviour',
      aspect: 'request',
      text: `WHEN a client sends ${code(request)} for the email of a registered, active user, THE SYSTEM SHALL email that address one password reset link carrying a signed token that expires ${expires}.`,
      criteria: [
        'The response is 200 and exactly one email is sent, to that address only (the mail sender is replaced by a fake in the test).',
        `The link in the email carries a token that ${code(confirm)} accepts.`,
        `The same token sent ${expiry ? `${code(expiry.name)} hours` : '1 hour'} and one minute later (injected clock) is refused with 400.`,
      ],
      source: 'password reset by email: the reset email',
      dependsOn: [],
      ...(existingNote(request) ? { existing: existingNote(request)! } : {}),
      covers: /\b(send|email)\w*\b.*\b(link|token)\b/i,
    },
    {
      title: 'No account enumeration through password reset',
      type: 'security',
      priority: 'high',
      category: 'response',
      aspect: 'unknown',
      text: `IF ${code(request)} is sent for an email that has no account, THEN THE SYSTEM SHALL send no email and answer with the same status code and message as for a registered email.`,
      criteria: [
        'No email is sent: the fake mail sender records no call.',
        'The status code and the response body equal those of a request for a registered email, so the answer does not reveal which emails have accounts.',
      ],
      source: 'password reset by email: unknown addresses',
      dependsOn: [0],
      ...(g.existing ? { existing: `${code(request)} exists; check what it answers for an unknown email (a 404 would reveal which emails have accounts)` } : {}),
      covers: /\b(unknown|unregistered|not registered|no account|enumerat\w*)\b/i,
    },
    {
      title: 'Set a new password with the reset token',
      type: 'security',
      priority: 'high',
      category: 'behaviour',
      aspect: 'confirm',
      text: `WHEN a client sends ${code(confirm)} with a valid reset token and a new password of at least 8 characters, THE SYSTEM SHALL store a hash of the new password for the token's user.`,
      criteria: [
        login ? `After the reset, ${code(routeLabel(login))} answers 200 with the new password and refuses the old one.` : 'After the reset, logging in with the new password succeeds and the old password is refused.',
        `The stored ${hashField ? code(hashField) : 'password hash'} changes and never equals the new password in plain text.`,
      ],
      source: 'password reset by email: setting the new password',
      dependsOn: [0],
      ...(existingNote(confirm) ? { existing: existingNote(confirm)! } : {}),
      covers: /\bnew password\b|\bset\w* (?:a |the )?password\b/i,
    },
    {
      title: 'Refuse invalid, expired or used reset tokens',
      type: 'security',
      priority: 'high',
      category: 'errors',
      aspect: 'token',
      text: `IF the token sent to ${code(confirm)} is malformed, expired or already used, THEN THE SYSTEM SHALL answer 400 and leave the stored password unchanged.`,
      criteria: [
        'A malformed token and an expired token (injected clock) are each answered 400.',
        'A token that already reset the password is answered 400 when it is sent again.',
        `After a refused request the stored ${hashField ? code(hashField) : 'password hash'} is unchanged.`,
      ],
      source: 'password reset by email: invalid tokens',
      dependsOn: [2],
      ...(g.existing ? { existing: `${code(confirm)} refuses invalid tokens; single use is to be checked (a stateless signed token stays valid until it expires)` } : {}),
      covers: /\b(invalid|expired?|used)\b.*\btoken\b|\btoken\b.*\b(invalid|expired?|used)\b/i,
    },
  ];
}

function bookingDrafts(g: Grounding, bp: Blueprint): Draft[] {
  const resource = g.newResource ?? 'visit';
  const many = plural(resource);
  const create = bp.endpoints.find((e) => e.method === 'POST');
  const form = bp.endpoints.find((e) => e.method === 'GET' && /\/new$/.test(e.path));
  const parent = bp.parts.find((p) => p.key === 'model:parent')?.existing_symbols[0];
  const actor = g.actorModel?.name.toLowerCase() ?? 'user';
  const actorRoute = g.contextRoutes.find((r) => r.method === 'GET' && /[{<:][^/]*[}>]?$/.test(r.path) && concepts(r.path).length === 1);
  const view = bp.parts.find((p) => p.key === 'template:form')?.file_path?.replace(/^.*templates\//, '').replace(/\.html$/, '');
  const table = bp.models.find((m) => m.change === 'create')?.table ?? many;
  const date = bp.models.find((m) => m.change === 'create')?.fields.find((f) => f.type === 'date')?.name ?? 'date';
  const status = bp.facts.invalidStatus;
  const drafts: Draft[] = [];
  if (bp.facts.formBased && form && create) {
    drafts.push({
      title: `Show the ${resource} booking form`,
      type: 'usability',
      priority: 'high',
      category: 'ui',
      aspect: 'form',
      text: `WHEN ${article(actor)} ${actor} opens ${code(routeLabel(form))}, THE SYSTEM SHALL show the form to book a ${resource}${parent ? ` for that ${parent.toLowerCase()}` : ''}.`,
      criteria: [
        `The response is 200 with the view ${view ? code(view) : `the ${resource} form`}${parent ? ` and the ${parent.toLowerCase()}'s name on the page` : ''}.`,
        `The form has a ${code(date)} field and a \`description\` field, each with a label.`,
      ],
      source: `book ${many}: the form`,
      dependsOn: [],
      covers: /\bform\b|\bpage\b/i,
    });
    drafts.push({
      title: `Book a ${resource}`,
      type: 'functional',
      priority: 'high',
      category: 'behaviour',
      aspect: 'create',
      text: `WHEN ${article(actor)} ${actor} submits the booking form to ${code(routeLabel(create))} with a date of today or later and a description, THE SYSTEM SHALL store the ${resource}${parent ? ` for that ${parent.toLowerCase()}` : ''} and redirect to the ${actor}'s page.`,
      criteria: [
        `After the POST a row in ${code(table)} holds the ${parent ? `${parent.toLowerCase()}'s id, the ` : ''}date and the description.`,
        `The response redirects (302) to ${code(actorRoute?.path ?? `/${plural(actor)}/{id}`)}.`,
        `${actorRoute ? code(`GET ${actorRoute.path}`) : `The ${actor}'s page`} shows the ${resource}'s date and description${parent ? ` under the ${parent.toLowerCase()}` : ''}.`,
      ],
      source: `book ${many}: storing the ${resource}`,
      dependsOn: [0],
      covers: /\b(book|store|save|creat)\w*\b/i,
    });
    drafts.push({
      title: `Refuse an invalid ${resource} booking`,
      type: 'functional',
      priority: 'high',
      category: 'errors',
      aspect: 'validation',
      text: `IF the booking form has no date, a date in the past or an empty description, THEN THE SYSTEM SHALL show the form again with a message next to the field and store no ${resource}.`,
      criteria: [
        `A date of 2020-01-01 re-renders ${view ? code(view) : 'the form'} with a field error on ${code(date)}.`,
        `An empty description re-renders the form with a field error on \`description\`.`,
        `No row is added to ${code(table)} for a refused form.`,
      ],
      source: `book ${many}: invalid input`,
      dependsOn: [1],
      covers: /\b(invalid|past|missing|empty|required)\b/i,
    });
  } else {
    const list = bp.endpoints.find((e) => e.method === 'GET');
    drafts.push({
      title: `Book a ${resource}`,
      type: 'functional',
      priority: 'high',
      category: 'behaviour',
      aspect: 'create',
      text: `WHEN ${article(actor)} ${actor} sends ${code(create ? routeLabel(create) : `POST /${many}`)} with a date of today or later and a description, THE SYSTEM SHALL store the ${resource} and answer 201 with it.`,
      criteria: [`The response is 201 and its body has the new ${resource}'s id, date and description.`, `A row in ${code(table)} holds the date and the description.`],
      source: `book ${many}: storing the ${resource}`,
      dependsOn: [],
    });
    if (list) drafts.push({ title: `List booked ${many}`, type: 'functional', priority: 'medium', category: 'behaviour', aspect: 'list', text: `WHEN ${article(actor)} ${actor} sends ${code(routeLabel(list))}, THE SYSTEM SHALL answer 200 with the ${many} booked, soonest first.`, criteria: [`The body lists every stored ${resource} of that ${actor}, soonest first.`, `A ${actor} with no ${many} gets 200 with an empty list.`], source: `book ${many}: listing`, dependsOn: [0] });
    drafts.push({ title: `Refuse an invalid ${resource} booking`, type: 'functional', priority: 'high', category: 'errors', aspect: 'validation', text: `IF a booking has no date, a date in the past or an empty description, THEN THE SYSTEM SHALL answer ${status} naming the field and store no ${resource}.`, criteria: [`A date of 2020-01-01 is answered ${status} and the body names the date field.`, `No row is added to ${code(table)}.`], source: `book ${many}: invalid input`, dependsOn: [0] });
  }
  drafts.push({
    title: `Refuse bookings for unknown ${plural(actor)}${parent ? ` or ${plural(parent.toLowerCase())}` : ''}`,
    type: 'functional',
    priority: 'medium',
    category: 'response',
    aspect: 'unknown',
    text: `IF the ${actor}${parent ? ` or the ${parent.toLowerCase()}` : ''} in the booking path does not exist${parent ? `, or the ${parent.toLowerCase()} is not that ${actor}'s` : ''}, THEN THE SYSTEM SHALL answer 404 and store no ${resource}.`,
    criteria: [`A booking for ${actor} id 999 (no such ${actor}) is answered 404.`, `No row is added to ${code(table)}.`],
    source: `book ${many}: unknown owner or pet`,
    dependsOn: [drafts.length - 1],
    covers: /\b(unknown|not found|404|does not exist)\b/i,
  });
  return drafts;
}

function resourceDrafts(g: Grounding, bp: Blueprint): Draft[] {
  const resource = g.newResource ?? concept(bp.facts.subject) ?? 'item';
  const table = bp.models.find((m) => m.change === 'create')?.table ?? plural(resource);
  const status = bp.facts.invalidStatus;
  const drafts: Draft[] = [];
  const by = (method: string, tail: RegExp) => bp.endpoints.find((e) => e.method === method && tail.test(e.path));
  const create = by('POST', /./);
  const list = by('GET', /[^}>]$/);
  const read = by('GET', /[}>]$/);
  const update = bp.endpoints.find((e) => (e.method === 'PUT' || e.method === 'PATCH') && /[}>]$/.test(e.path));
  const remove = by('DELETE', /[}>]$/);
  if (create) drafts.push({ title: `Create ${resource}s`, type: 'functional', priority: 'high', category: 'behaviour', aspect: 'create', text: `WHEN a client sends ${code(routeLabel(create))} with a valid ${resource}, THE SYSTEM SHALL store it and answer 201 with the stored ${resource}.`, criteria: [`The response is 201 and its body has the new ${resource}'s id and the fields sent.`, `A row in ${code(table)} holds the fields sent.`], source: `${resource}: create`, dependsOn: [] });
  if (list) drafts.push({ title: `List ${plural(resource)}`, type: 'functional', priority: 'medium', category: 'behaviour', aspect: 'list', text: `WHEN a client sends ${code(routeLabel(list))}, THE SYSTEM SHALL answer 200 with the stored ${plural(resource)}, newest first.`, criteria: [`The body lists every stored ${resource}, newest first.`, 'With no rows the response is 200 with an empty list.'], source: `${resource}: list`, dependsOn: create ? [0] : [] });
  if (read) drafts.push({ title: `Read one ${resource}`, type: 'functional', priority: 'medium', category: 'response', aspect: 'read', text: `WHEN a client sends ${code(routeLabel(read))}, THE SYSTEM SHALL answer 200 with that ${resource}, or 404 when it does not exist.`, criteria: [`An existing id answers 200 with the ${resource}.`, 'An unknown id answers 404 (Not Found).'], source: `${resource}: read`, dependsOn: create ? [0] : [] });
  if (update) drafts.push({ title: `Update a ${resource}`, type: 'functional', priority: 'medium', category: 'behaviour', aspect: 'update', text: `WHEN a client sends ${code(routeLabel(update))} with changed fields, THE SYSTEM SHALL store the changes and answer 200 with the updated ${resource}.`, criteria: [`The row in ${code(table)} holds the new values after the request.`, 'An unknown id answers 404 and changes nothing.'], source: `${resource}: update`, dependsOn: create ? [0] : [] });
  if (remove) drafts.push({ title: `Delete a ${resource}`, type: 'functional', priority: 'medium', category: 'behaviour', aspect: 'delete', text: `WHEN a client sends ${code(routeLabel(remove))}, THE SYSTEM SHALL delete that ${resource} and answer 204.`, criteria: [`After the request the row is gone from ${code(table)} and ${read ? code(routeLabel(read)) : 'reading it'} answers 404.`, 'Deleting it again answers 404.'], source: `${resource}: delete`, dependsOn: create ? [0] : [] });
  if (create) drafts.push({ title: `Refuse an invalid ${resource}`, type: 'functional', priority: 'high', category: 'errors', aspect: 'validation', text: `IF ${code(routeLabel(create))} receives a ${resource} with a missing or malformed field, THEN THE SYSTEM SHALL answer ${status} naming the field and store nothing.`, criteria: [`A body without a required field is answered ${status} and the error names the field.`, `No row is added to ${code(table)}.`], source: `${resource}: invalid input`, dependsOn: [0] });
  return drafts;
}

function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? 'an' : 'a';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The recipe drafts for a blueprint, or none when no recipe fits (the description's clauses and
 * the title are then the requirements).
 */
export function recipeDrafts(g: Grounding, bp: Blueprint): Draft[] {
  const t = g.request.traits;
  if (t.includes('password_reset')) return passwordResetDrafts(g, bp);
  if (bp.kind === 'rule' && t.includes('rate_limit')) return rateLimitDrafts(g, bp);
  if (bp.kind === 'endpoint' && t.includes('pagination')) return paginationDrafts(bp);
  if (t.includes('booking') && bp.endpoints.some((e) => e.change === 'create')) return bookingDrafts(g, bp);
  if ((bp.kind === 'resource' || bp.kind === 'flow') && bp.endpoints.some((e) => e.change === 'create')) return resourceDrafts(g, bp);
  return [];
}
