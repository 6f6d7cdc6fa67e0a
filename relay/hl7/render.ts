import { readPath, type RelayEvent } from '../event.js';
import { escapeHl7, hl7Timestamp, hl7TemplateFilters, type Hl7Template } from './template.js';

export interface RenderContext {
  /** MSH-10: stable per delivery, so the receiver can spot a retried message. */
  controlId: string;
  /** Epoch ms: MSH-7. */
  now: number;
}

type Scope = Record<string, unknown>;

/** A value from the scope as HL7 text: scalars escaped, lists as repetitions, objects empty. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(text).filter((entry) => entry !== '').join('~');
  if (typeof value === 'object') return '';
  return escapeHl7(String(value));
}

/** `data.a ?? data.b | filter:arg | filter`: the first path with a value, then the filters. */
function expand(expression: string, scope: Scope, template: Hl7Template): string {
  const [paths, ...pipes] = expression.split('|');
  let value = '';
  for (const path of paths!.split('??')) {
    value = text(readPath(scope, path.trim()));
    if (value !== '') break;
  }
  for (const pipe of pipes) {
    const [name, ...rest] = pipe.trim().split(':');
    value = hl7TemplateFilters[name!]!(value, rest.length > 0 ? rest.join(':') : undefined, template);
  }
  return value;
}

const fill = (line: string, scope: Scope, template: Hl7Template): string => line.replace(/\{\{([^}]*)\}\}/g, (_, expression: string) => expand(expression, scope, template));

/** Trailing empty fields are noise receivers sometimes reject. */
const trimFields = (segment: string): string => segment.replace(/\|+$/, '');

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);

/**
 * Render an event as one HL7 v2 message (pure: no clock, no I/O). MSH is
 * built from the template's `message` settings; segments are separated by
 * CR as HL7 requires.
 */
export function renderHl7(template: Hl7Template, event: RelayEvent, context: RenderContext): string {
  const m = template.message;
  const msh = [
    'MSH',
    '^~\\&',
    m.sendingApplication,
    m.sendingFacility,
    m.receivingApplication,
    m.receivingFacility,
    hl7Timestamp(new Date(context.now).toISOString()),
    '',
    m.type,
    context.controlId,
    m.processingId,
    m.version,
    '',
    '',
    m.acceptAck,
    m.applicationAck,
  ].join('|');
  const base: Scope = { event, data: event.data, id: event.id, type: event.type, created_at: event.created_at, now: new Date(context.now).toISOString() };
  const segments = [trimFields(msh)];
  for (const rule of template.segments) {
    if (typeof rule === 'string') {
      segments.push(trimFields(fill(rule, base, template)));
      continue;
    }
    if (rule.when !== undefined && !present(readPath(base, rule.when))) continue;
    if (rule.each === undefined) {
      segments.push(trimFields(fill(rule.segment, base, template)));
      continue;
    }
    const list = readPath(base, rule.each);
    if (!Array.isArray(list)) continue;
    list.slice(0, rule.limit ?? list.length).forEach((item, index) => {
      segments.push(trimFields(fill(rule.segment, { ...base, item, index: index + rule.start }, template)));
    });
  }
  return segments.join('\r');
}

/** Whether a template renders this event type (`*` and `referral.*` allowed). */
export function templateWants(template: Hl7Template, type: string): boolean {
  return template.events.some((pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))));
}
