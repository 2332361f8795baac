/**
 * Phase outputs in the original spec-sandbox's shapes (`reference/original-anchor-sandbox.md` §1.3)
 * mapped onto Specline's (`outputs.ts`), so that they become requirement, criterion, design and task
 * rows. Pure and explicit: each rule is a line below, and whatever cannot be mapped is returned as a
 * warning naming where it is, for the server to put on the spec's timeline. Outputs already in
 * Specline's shape pass through unchanged (no warnings).
 */
import type { Phase } from './phases';

export interface OutputWarning {
  /** Where in the phase output: `requirements[3].priority`. */
  path: string;
  message: string;
}

export interface AdaptedOutput {
  output: Record<string, unknown>;
  warnings: OutputWarning[];
  /** Fields rewritten, for the record (`requirements[0].title: derived from text`). */
  mapped: string[];
}

type Rec = Record<string, unknown>;
const isRecord = (value: unknown): value is Rec => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const strings = (value: unknown): string[] => list(value).flatMap((v) => (typeof v === 'string' && v.trim() !== '' ? [v.trim()] : []));

/** MoSCoW and upper-case priorities of the original producer → Specline's four. */
const PRIORITY: Record<string, 'low' | 'medium' | 'high' | 'critical'> = {
  must: 'critical',
  must_have: 'critical',
  critical: 'critical',
  p0: 'critical',
  high: 'high',
  should: 'high',
  should_have: 'high',
  p1: 'high',
  medium: 'medium',
  could: 'medium',
  could_have: 'medium',
  normal: 'medium',
  p2: 'medium',
  low: 'low',
  wont: 'low',
  "won't": 'low',
  p3: 'low',
};

/** Hours of the original's T-shirt estimates (its markdown used ≤2 h S, ≤4 h M, else L). */
const ESTIMATE_HOURS: Record<string, number> = { xs: 1, s: 2, m: 4, l: 8, xl: 16 };

/** A title from a requirement's text: its response after SHALL, cut at a word boundary. */
function titleFrom(text: string, max = 80): string {
  const shall = /\bshall\b\s*(.*)$/i.exec(text);
  const base = (shall?.[1] ?? text).replace(/[.;:]+$/, '').trim();
  const clean = base.charAt(0).toUpperCase() + base.slice(1);
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > 20 ? cut.slice(0, space) : cut).replace(/[,;:]+$/, '')}…`;
}

class Adapter {
  readonly warnings: OutputWarning[] = [];
  readonly mapped: string[] = [];
  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }
  note(path: string, what: string): void {
    this.mapped.push(`${path}: ${what}`);
  }
  priority(item: Rec, path: string, fallback: 'medium' = 'medium'): void {
    const raw = item['priority'];
    if (raw === undefined) return;
    const key = typeof raw === 'string' ? raw.trim().toLowerCase().replace(/[\s-]+/g, '_') : '';
    const mapped = PRIORITY[key];
    if (mapped === undefined) {
      this.warn(`${path}.priority`, `priority ${JSON.stringify(raw)} is not one of low, medium, high, critical (or MoSCoW); stored as ${fallback}`);
      item['priority'] = fallback;
    } else if (mapped !== raw) {
      item['priority'] = mapped;
      this.note(`${path}.priority`, `${JSON.stringify(raw)} → ${mapped}`);
    }
  }
}

function adaptRequirements(output: Rec, a: Adapter): Rec {
  const requirements = list(output['requirements']).map((raw, i) => {
    const path = `requirements[${i}]`;
    if (!isRecord(raw)) {
      a.warn(path, 'is not an object; left out');
      return raw;
    }
    const item: Rec = { ...raw };
    const id = str(item['id']) ?? `REQ-${String(i + 1).padStart(3, '0')}`;
    if (item['id'] !== id) {
      item['id'] = id;
      a.note(`${path}.id`, `assigned ${id}`);
    }
    const text = str(item['text']) ?? str(item['description']) ?? str(item['statement']);
    if (text && item['text'] !== text) {
      item['text'] = text;
      a.note(`${path}.text`, 'taken from description');
    }
    if (!str(item['title'])) {
      if (text) {
        item['title'] = titleFrom(text);
        a.note(`${path}.title`, 'derived from the text');
      } else a.warn(`${path}.title`, 'has neither a title nor a text; the row cannot be created');
    }
    if (!str(item['type'])) item['type'] = str(item['category'])?.toLowerCase() ?? 'functional';
    if (item['priority'] === undefined) item['priority'] = 'medium';
    a.priority(item, path);
    item['acceptance_criteria'] = list(item['acceptance_criteria']).flatMap((c, j) => {
      const cpath = `${path}.acceptance_criteria[${j}]`;
      const cid = `${id}.AC-${j + 1}`;
      if (typeof c === 'string') {
        if (c.trim() === '') return [];
        a.note(cpath, `plain string → {id: ${cid}}`);
        return [{ id: cid, text: c.trim() }];
      }
      if (isRecord(c)) {
        const ctext = str(c['text']) ?? str(c['description']) ?? str(c['criterion']);
        if (!ctext) {
          a.warn(cpath, 'has no text; left out');
          return [];
        }
        return [{ ...c, id: str(c['id']) ?? cid, text: ctext }];
      }
      a.warn(cpath, 'is neither a string nor an object; left out');
      return [];
    });
    return item;
  });
  return { ...output, requirements };
}

/** `{col: "TYPE NOT NULL"}` (the original's shape) → `[{name, type}]`. */
function fieldsList(value: unknown, path: string, a: Adapter): unknown {
  if (Array.isArray(value)) return value;
  if (isRecord(value)) {
    a.note(path, 'object of columns → list of fields');
    return Object.entries(value).map(([name, type]) => ({ name, type: typeof type === 'string' ? type : JSON.stringify(type) }));
  }
  if (value !== undefined) a.warn(path, 'is neither a list nor an object of columns; stored empty');
  return [];
}

/** A dict-shaped section (`error_handling: {…}`, `testing_strategy: {unit_tests: […]}`) → Markdown text. */
function sectionText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return strings(value).map((s) => `- ${s}`).join('\n');
  if (!isRecord(value)) return undefined;
  return Object.entries(value)
    .map(([key, v]) => {
      const label = key.replace(/_/g, ' ');
      if (typeof v === 'string') return `**${label}**: ${v}`;
      const items = Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : [JSON.stringify(v)];
      return `**${label}**\n${items.map((x) => `- ${x}`).join('\n')}`;
    })
    .join('\n\n');
}

function adaptDesign(output: Rec, a: Adapter): Rec {
  const out: Rec = { ...output };
  out['components'] = list(output['components']).map((raw, i) => {
    const path = `components[${i}]`;
    if (!isRecord(raw)) {
      a.warn(path, 'is not an object; left out');
      return raw;
    }
    const c: Rec = { ...raw };
    if (!str(c['id'])) {
      c['id'] = `DES-${String(i + 1).padStart(3, '0')}`;
      a.note(`${path}.id`, `assigned ${String(c['id'])}`);
    }
    if (!str(c['responsibility'])) c['responsibility'] = str(c['description']) ?? '';
    if (!str(c['name'])) a.warn(`${path}.name`, 'is missing; the component cannot be shown by name');
    return c;
  });
  out['data_models'] = list(output['data_models']).map((raw, i) => (isRecord(raw) ? { ...raw, fields: fieldsList(raw['fields'], `data_models[${i}].fields`, a) } : raw));
  out['api_endpoints'] = list(output['api_endpoints']).map((raw, i) => {
    if (!isRecord(raw)) return raw;
    const e: Rec = { ...raw };
    if (!str(e['path']) && str(e['endpoint'])) {
      e['path'] = str(e['endpoint']);
      a.note(`api_endpoints[${i}].path`, 'taken from endpoint');
    }
    if (typeof e['description'] !== 'string') e['description'] = '';
    return e;
  });
  for (const key of ['error_handling', 'testing_strategy'] as const) {
    const value = output[key];
    if (typeof value === 'string') continue;
    const text = sectionText(value);
    out[key] = text ?? '';
    if (text !== undefined) a.note(key, 'structured section → Markdown text');
  }
  if (typeof out['architecture_overview'] !== 'string') out['architecture_overview'] = sectionText(output['architecture_overview']) ?? '';
  return out;
}

function adaptTasks(output: Rec, a: Adapter): Rec {
  const tickets = list(output['tickets']).map((raw, i) => {
    const path = `tickets[${i}]`;
    if (!isRecord(raw)) return raw;
    const t: Rec = { ...raw };
    if (typeof t['description'] !== 'string') t['description'] = '';
    if (t['priority'] === undefined) t['priority'] = 'medium';
    a.priority(t, path);
    if (!Array.isArray(t['requirements'])) t['requirements'] = [];
    return t;
  });
  const tasks = list(output['tasks']).map((raw, i) => {
    const path = `tasks[${i}]`;
    if (!isRecord(raw)) return raw;
    const t: Rec = { ...raw };
    if (!str(t['ticket_id']) && str(t['parent_ticket'])) {
      t['ticket_id'] = str(t['parent_ticket']);
      a.note(`${path}.ticket_id`, 'taken from parent_ticket');
    }
    if (!str(t['ticket_id'])) a.warn(`${path}.ticket_id`, 'names no ticket (ticket_id or parent_ticket); the task cannot be placed');
    if (typeof t['description'] !== 'string') t['description'] = '';
    if (t['priority'] !== undefined) a.priority(t, path);
    const deps = t['dependencies'];
    if (!Array.isArray(t['depends_on'])) {
      t['depends_on'] = isRecord(deps) ? strings(deps['depends_on']) : strings(deps);
      if (deps !== undefined) a.note(`${path}.depends_on`, 'taken from dependencies');
    }
    if (!Array.isArray(t['requirements'])) {
      t['requirements'] = strings(t['requirements_addressed']);
      if (t['requirements_addressed'] !== undefined) a.note(`${path}.requirements`, 'taken from requirements_addressed');
    }
    if (typeof t['estimated_hours'] !== 'number' || !(t['estimated_hours'] > 0)) {
      const size = typeof t['estimate'] === 'string' ? ESTIMATE_HOURS[t['estimate'].trim().toLowerCase()] : undefined;
      if (size !== undefined) {
        t['estimated_hours'] = size;
        a.note(`${path}.estimated_hours`, `estimate ${String(t['estimate'])} → ${size} h`);
      } else {
        a.warn(`${path}.estimated_hours`, `has no usable estimate (${JSON.stringify(t['estimated_hours'] ?? t['estimate'] ?? null)}); stored as 1 h`);
        t['estimated_hours'] = 1;
      }
    }
    if (!Array.isArray(t['files'])) {
      const files = [...strings(t['files_to_modify']), ...strings(t['files_to_create'])];
      if (files.length > 0) t['files'] = files;
    }
    return t;
  });
  return { ...output, tickets, tasks };
}

/** Maps a phase output of the original producer onto Specline's shape; see the module comment. */
export function adaptPhaseOutput(phase: Phase, output: Record<string, unknown>): AdaptedOutput {
  const a = new Adapter();
  let out: Rec;
  switch (phase) {
    case 'requirements':
      out = adaptRequirements(output, a);
      break;
    case 'design':
      out = adaptDesign(output, a);
      break;
    case 'tasks':
      out = adaptTasks(output, a);
      break;
    case 'explore':
    case 'prd':
    case 'sync':
      out = output;
      break;
  }
  return { output: out, warnings: a.warnings, mapped: a.mapped };
}
