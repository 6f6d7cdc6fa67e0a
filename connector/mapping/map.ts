/**
 * `map(definition, message, now)`: one parsed HL7 message through one
 * mapping → the request to send, a filter verdict, a cancel, or the AE
 * errors to answer with. Pure: no I/O, no environment; `now` only feeds
 * `$today` / `$now` defaults.
 */
import type { Hl7Message } from '../hl7/model.js';
import type { CompiledField, IdentifierMode, Mapping } from './compile.js';
import { compact, setPath } from './json-path.js';
import { locationOf, readPath, type FieldPath } from './path.js';
import { applyTransform } from './transforms.js';

/** A reason to answer AE: HL7 table 0357 code and the ERR-2 location. PHI-free. */
export interface MappingIssue {
  /** 101 required field missing, 102 data type error, 103 table value not found. */
  code: 101 | 102 | 103;
  /** ERL, e.g. `DG1^1^3^1^1`. */
  location: string;
  /** The output field, e.g. `primary_diagnosis`. */
  field: string;
  message: string;
}

export interface IdentifierField {
  /** Output path holding a direct identifier. */
  path: string;
  mode: IdentifierMode;
}

export interface OutboundRequest {
  target: 'native' | 'fhir';
  method: 'POST';
  /** Appended to the API base URL. */
  path: string;
  body: Record<string, unknown>;
}

export type MapResult =
  | { kind: 'request'; mapping: string; request: OutboundRequest; orderKey: string; identifiers: IdentifierField[] }
  | { kind: 'filtered'; mapping: string; reason: string }
  | { kind: 'ignored'; mapping: string; reason: string }
  | { kind: 'cancel'; mapping: string; orderKey: string }
  | { kind: 'error'; mapping: string; issues: MappingIssue[] };

export const targetPaths = { native: '/v1/discharge-referrals', fhir: '/v1/fhir/ServiceRequest' } as const;

/** The first non-empty value along a fallback list, and the path it came from. */
function firstValue(message: Hl7Message, paths: readonly FieldPath[]): { value: string; path?: FieldPath } {
  for (const path of paths) {
    const value = readPath(message, path);
    if (value !== '') return { value, path };
  }
  return { value: '' };
}

function resolveDefault(text: string, now: Date): string {
  if (text === '$today') return now.toISOString().slice(0, 10);
  if (text === '$now') return now.toISOString();
  return text;
}

function lookUp(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return table[key] ?? table[key.trim().toUpperCase()];
}

type FieldValue = { value: string | number | boolean | undefined } | { issue: MappingIssue };

function evaluate(field: CompiledField, message: Hl7Message, now: Date): FieldValue {
  if (field.value !== undefined) return { value: field.value };
  const primary = field.from?.[field.from.length - 1] ?? field.join?.paths[0];
  const where = (path: FieldPath | undefined) => (path === undefined ? '' : locationOf(message, path));
  let value: string;
  let source: FieldPath | undefined;
  if (field.join !== undefined) {
    const parts = field.join.paths.map((path) => readPath(message, path)).filter((part) => part !== '');
    value = parts.join(field.join.separator);
    source = field.join.paths[0];
  } else {
    ({ value, path: source } = firstValue(message, field.from ?? []));
  }
  if (value === '' && field.default !== undefined) value = resolveDefault(field.default, now);
  if (value === '') {
    if (!field.required) return { value: undefined };
    const sources = (field.from ?? field.join?.paths ?? []).map((path) => path.source).join(', ');
    return { issue: { code: 101, location: where(primary), field: field.name, message: `${field.name} is required (${sources})` } };
  }
  for (const name of field.transforms) {
    const next = applyTransform(name, value);
    if (next === undefined) {
      return { issue: { code: 102, location: where(source ?? primary), field: field.name, message: `${field.name}: ${name} cannot read the value` } };
    }
    value = next;
  }
  if (field.lookup !== undefined) {
    const found = lookUp(field.lookup.table, value);
    if (found === undefined) {
      return { issue: { code: 103, location: where(source ?? primary), field: field.name, message: `${field.name}: value not in table ${field.lookup.name}` } };
    }
    value = found;
  }
  if (value === '' && field.required) {
    return { issue: { code: 101, location: where(source ?? primary), field: field.name, message: `${field.name} is required` } };
  }
  return { value: value === '' ? undefined : value };
}

export function map(definition: Mapping, message: Hl7Message, now: Date): MapResult {
  const mapping = definition.name;
  if (definition.filter !== undefined) {
    const value = readPath(message, definition.filter.path);
    if (!definition.filter.values.has(value)) {
      return { kind: 'filtered', mapping, reason: `${definition.filter.path.source} ${value === '' ? 'is empty' : `= ${value}`}: not in the filter` };
    }
  }
  if (definition.action === 'ignore') return { kind: 'ignored', mapping, reason: `${message.header.messageType}^${message.header.triggerEvent} is recorded, not sent` };
  const orderKey = firstValue(message, definition.orderKey).value;
  const keyIssue: MappingIssue | undefined =
    orderKey === ''
      ? { code: 101, location: locationOf(message, definition.orderKey[definition.orderKey.length - 1]!), field: 'orderKey', message: 'the patient identifier (orderKey) is missing' }
      : undefined;
  if (definition.action === 'cancel') return keyIssue === undefined ? { kind: 'cancel', mapping, orderKey } : { kind: 'error', mapping, issues: [keyIssue] };

  const issues: MappingIssue[] = keyIssue === undefined ? [] : [keyIssue];
  const body: Record<string, unknown> = {};
  const identifiers: IdentifierField[] = [];
  for (const field of definition.fields) {
    const result = evaluate(field, message, now);
    if ('issue' in result) {
      issues.push(result.issue);
      continue;
    }
    if (result.value === undefined) continue;
    setPath(body, field.name, result.value);
    if (field.identifier !== undefined) identifiers.push({ path: field.name, mode: field.identifier });
  }
  if (issues.length > 0) return { kind: 'error', mapping, issues };
  const target = definition.target ?? 'native';
  return { kind: 'request', mapping, request: { target, method: 'POST', path: targetPaths[target], body: compact(body) }, orderKey, identifiers };
}
