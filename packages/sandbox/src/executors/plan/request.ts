/**
 * What kind of change a request asks for, read from its title and description by rules: a new
 * resource, a change to existing endpoints (pagination, filters), a cross-cutting rule (rate limits,
 * access control, validation), an integration with an outside service, a data change, a background
 * job, a user-interface change, or a user-facing flow (booking, password reset, sign-up). The kind
 * decides the shape of the design; the traits add the pieces a change of that kind needs.
 */
import type { SpecInfo } from '../../types';
import { featurePhrase } from '../text';
import { concept, concepts, isNoise, stem } from './words';

export type ChangeKind = 'resource' | 'endpoint' | 'rule' | 'integration' | 'data' | 'job' | 'ui' | 'flow';

export type Trait =
  | 'rate_limit'
  | 'pagination'
  | 'search'
  | 'auth'
  | 'access_control'
  | 'validation'
  | 'notify'
  | 'export'
  | 'upload'
  | 'cache'
  | 'audit'
  | 'ui'
  | 'booking'
  | 'password_reset'
  | 'confirm'
  | 'delete'
  | 'data';

export interface RequestProfile {
  kind: ChangeKind;
  traits: Trait[];
  /** Concepts of the title (what the change is about), most important first. */
  titleConcepts: string[];
  /** Concepts of the title and the description. */
  allConcepts: string[];
  /** Concepts a matching implementation must cover: the title's, without the actor and channel words. */
  keyConcepts: string[];
  /** The actor the request names (`owner` in "Let owners book visits"), when it names one. */
  actor: string | undefined;
  /** Nouns the request asks to create or act on (`visit` in "book visits"), singular. */
  objects: string[];
  /** "rate-limit login attempts", "password reset by email". */
  phrase: string;
  /** The full text the rules read. */
  text: string;
}

const TRAIT_RULES: readonly [Trait, RegExp][] = [
  ['rate_limit', /\brate[\s-]?limit\w*|\bthrottl\w*|\btoo many (?:requests|attempts)|\b(?:requests|attempts|calls) (?:per|a|an|each) (?:second|minute|hour|day)|\bbrute[\s-]?force|\block(?:ed)?[\s-]?out\b/i],
  ['pagination', /\bpaginat\w*|\bpage[\s_-]?size\b|\bper[\s_-]page\b|\bpages? of\b|\binfinite scroll|\bcursor\b|\boffset\b/i],
  ['search', /\b(?:search|filter(?:s|ing)?|sort(?:s|ing|ed)?|order(?:ed)? by)\b/i],
  ['password_reset', /\b(?:password|passphrase)\s+(?:reset|recovery|change)|\b(?:reset|recover|forgot(?:ten)?)\s+(?:a |the |their |your )?(?:password|passphrase)/i],
  ['confirm', /\b(?:confirm|verify|verification|activate|activation)\w*\s+(?:\w+\s+)?(?:email|e-mail|account|address|phone)/i],
  ['auth', /\b(?:auth\w*|log[\s-]?in|sign[\s-]?in|log[\s-]?out|password|jwt|session|2fa|mfa|otp|sso|oauth)\b/i],
  ['access_control', /\b(?:permission|role|admins? only|only (?:admins?|owners?|authors?)|access control|authori[sz]\w*|forbid\w*|restrict\w* (?:access|to))\b/i],
  ['validation', /\b(?:validat\w*|must be (?:a )?valid|reject(?:s|ed)? invalid|well[\s-]formed|sanitiz\w*)\b/i],
  ['notify', /\b(?:e-?mail(?:s|ed)?|notif\w*|sms|text message|push message|slack|remind\w*)\b/i],
  ['export', /\b(?:export\w*|csv|download\w*|report(?:s)? as)\b/i],
  ['upload', /\b(?:upload\w*|attach\w*|avatar|image|photo)\b/i],
  ['cache', /\bcach\w*\b/i],
  ['audit', /\b(?:audit\w*|activity log|history of|change log)\b/i],
  ['ui', /\b(?:page|screen|button|form|dashboard|modal|dialog|view|ui|frontend|front end|display|show|template|widget|tab)\b/i],
  ['booking', /\b(?:book(?:s|ed|ing)?|reserv\w*|appointment\w*|schedul\w* (?:a |an )?(?:visit|appointment|meeting|call))\b/i],
  ['delete', /\b(?:delet\w*|remov\w*|soft[\s-]delete|archiv\w*)\b/i],
  ['data', /\b(?:migrat\w*|column|backfill|schema change|new field|add(?:s|ing)? (?:a |an )?(?:\w+ )?field|rename (?:the )?(?:column|field|table)|index on)\b/i],
];

const INTEGRATION = /\b(?:stripe|paypal|braintree|twilio|sendgrid|mailgun|slack|github|gitlab|s3|gcs|azure blob|webhook\w*|oauth provider|google|facebook|apple sign|calendar sync|third[\s-]party|external (?:api|service)|payment provider|sentry|datadog|openai|elasticsearch|algolia)\b/i;
const JOB = /\b(?:background (?:job|task|worker)|cron|nightly|every (?:night|day|hour|week|morning)|daily|weekly|hourly|periodic\w*|scheduled (?:job|task)|queue\w*|worker|asynchronous\w*|in the background|batch job)\b/i;
const FLOW_VERBS = /\b(?:book|reserve|reset|recover|confirm|verify|register|sign[\s-]?up|invite|check[\s-]?out|subscribe|unsubscribe|cancel|apply|request|submit|approve|reject|order|pay|purchase|share|follow)\b/i;
export const ACTORS: ReadonlySet<string> = new Set(['user', 'owner', 'admin', 'customer', 'client', 'member', 'visitor', 'author', 'reader', 'buyer', 'seller', 'operator', 'developer', 'staff', 'guest', 'patient', 'student', 'teacher', 'manager', 'employee', 'people', 'person', 'vet']);
/** Words that say how or where, not what: left out when looking for a matching implementation. */
const CHANNEL = new Set(['email', 'online', 'web', 'website', 'browser', 'mobile', 'app', 'api', 'endpoint', 'route', 'list', 'page', 'way', 'link', 'self', 'service']);
const OBJECT_VERBS = /\b(?:book|create|add|manage|schedule|submit|upload|write|leave|record|track|store|save|edit|update|delete|remove|list|view|see|export|import|attach|rate|review|comment on|cancel|reserve|order|tag)\s+(?:a |an |the |their |his |her |its |our |new |multiple |several |all |existing )*([a-z]+)/gi;

export function profileRequest(spec: Pick<SpecInfo, 'title' | 'description'>, hasFrontend = false): RequestProfile {
  const text = `${spec.title}. ${spec.description}`.trim();
  const traits = TRAIT_RULES.filter(([, rule]) => rule.test(text)).map(([trait]) => trait);
  // "password" alone says auth; a reset flow is not an access rule.
  const titleConcepts = concepts(featurePhrase(spec.title));
  const allConcepts = concepts(text);
  const actorMatch = /^(?:let|allow|enable|help)\s+(?:the\s+)?([a-z]+)/i.exec(spec.title.trim()) ?? /^(?:the\s+)?([a-z]+)\s+(?:can|could|may|must|should|need to|want to)\b/i.exec(spec.title.trim());
  const actorWord = actorMatch ? concept(actorMatch[1]!) : undefined;
  const actor = actorWord !== undefined && ACTORS.has(actorWord) ? actorWord : undefined;
  const objects: string[] = [];
  for (const match of `${spec.title}. ${spec.description}`.matchAll(OBJECT_VERBS)) {
    const noun = stem(match[1]!);
    if (!isNoise(noun) && !ACTORS.has(noun) && !CHANNEL.has(noun) && noun.length > 2 && !objects.includes(noun) && !/^(?:to|for|by|with|be|it|them|one|more|less|ing)$/.test(noun)) objects.push(noun);
  }
  const keyConcepts = titleConcepts.filter((c) => c !== actor && !CHANNEL.has(c) && !/^(?:rate)$/.test(c));
  const kind = classify(text, traits, hasFrontend);
  return { kind, traits, titleConcepts, allConcepts, keyConcepts, actor, objects, phrase: featurePhrase(spec.title), text };
}

function classify(text: string, traits: readonly Trait[], hasFrontend: boolean): ChangeKind {
  const has = (t: Trait) => traits.includes(t);
  if (has('rate_limit') || has('cache') || (has('access_control') && !FLOW_VERBS.test(text)) || (has('validation') && !FLOW_VERBS.test(text)) || (has('audit') && !has('ui'))) return 'rule';
  if (INTEGRATION.test(text)) return 'integration';
  if (JOB.test(text)) return 'job';
  if (has('password_reset') || has('confirm') || has('booking')) return 'flow';
  if (has('pagination') || has('search') || has('export')) return 'endpoint';
  if (has('data')) return 'data';
  if (has('ui') && hasFrontend && !/\b(?:endpoint|api|route|request|status|store|persist)\b/i.test(text)) return 'ui';
  if (FLOW_VERBS.test(text)) return 'flow';
  return 'resource';
}

/** A one-line name for the kind, for overviews and progress lines. */
export function kindLabel(kind: ChangeKind): string {
  switch (kind) {
    case 'resource':
      return 'a new resource (model, persistence, endpoints)';
    case 'endpoint':
      return 'a change to existing endpoints';
    case 'rule':
      return 'a cross-cutting rule in front of existing endpoints';
    case 'integration':
      return 'an integration with an outside service';
    case 'data':
      return 'a data-model change with its migration';
    case 'job':
      return 'a background job';
    case 'ui':
      return 'a user-interface change';
    case 'flow':
      return 'a user-facing flow (endpoints, data and messages)';
  }
}
