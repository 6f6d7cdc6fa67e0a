/**
 * A validated mapping file → the form `map()` runs: paths parsed, lookups
 * resolved, identifier fields known. Problems come back with the YAML path
 * they were found at, so the loader can name the line.
 */
import { defaultLookups } from './lookups.js';
import { parsePath, PathSyntaxError, type FieldPath } from './path.js';
import type { FieldSpec, MappingFile } from './schema.js';
import type { TransformName } from './transforms.js';

export type IdentifierMode = 'drop' | 'pseudonym';

/** One output field ready to run; `P` is the compiled path (an HL7 field path, or FHIRPath for FHIR mappings). */
export interface CompiledField<P = FieldPath> {
  /** Output JSON path (`patient.id`). */
  name: string;
  from?: P[];
  join?: { paths: P[]; separator: string };
  value?: string | number | boolean;
  transforms: TransformName[];
  lookup?: { name: string; table: Readonly<Record<string, string>> };
  default?: string;
  required: boolean;
  /** Set when the value identifies the patient directly (sandbox keys never receive it as is). */
  identifier?: IdentifierMode;
}

export interface Mapping {
  name: string;
  /** File it came from (for `caraloom map` and logs). */
  file: string;
  description?: string;
  priority: number;
  match: { messageType: string; triggerEvents: string[]; sendingFacilities: string[] };
  action: 'refer' | 'cancel' | 'ignore';
  target?: 'native' | 'fhir';
  orderKey: FieldPath[];
  filter?: { path: FieldPath; values: ReadonlySet<string>; description?: string };
  fields: CompiledField[];
}

export interface CompileIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Fields that identify a patient directly (HIPAA safe-harbour identifiers):
 * names, MRNs and other ids, birth date, street address, phone, SSN, and
 * every field of next-of-kin, guarantor and insurance segments. PID-11
 * components 3-6 (city, state, ZIP, country) are not in the list.
 */
const DIRECT: Record<string, ReadonlySet<number> | 'all'> = {
  PID: new Set([2, 3, 4, 5, 6, 7, 9, 11, 13, 14, 18, 19, 20, 21]),
  PV1: new Set([19, 50]),
  MRG: 'all',
  NK1: 'all',
  GT1: 'all',
  IN1: 'all',
  IN2: 'all',
  IN3: 'all',
};

export function isDirectIdentifier(path: FieldPath): boolean {
  const fields = DIRECT[path.segment];
  if (fields === undefined) return false;
  if (fields === 'all') return true;
  if (!fields.has(path.field)) return false;
  // Only the street lines of an address identify; city, state, ZIP and country do not.
  return !(path.segment === 'PID' && path.field === 11 && path.component !== undefined && path.component >= 3 && path.component <= 6);
}

function paths(list: string | string[], where: (string | number)[], issues: CompileIssue[]): FieldPath[] {
  const items = Array.isArray(list) ? list : [list];
  const out: FieldPath[] = [];
  items.forEach((item, index) => {
    try {
      out.push(parsePath(item));
    } catch (error) {
      if (!(error instanceof PathSyntaxError)) throw error;
      issues.push({ path: Array.isArray(list) ? [...where, index] : where, message: error.message });
    }
  });
  return out;
}

function compileField(name: string, spec: FieldSpec, file: MappingFile, issues: CompileIssue[]): CompiledField {
  const where = ['fields', name];
  if (typeof spec === 'string') spec = { from: spec, separator: ' ', required: false };
  const field: CompiledField = { name, transforms: spec.transform === undefined ? [] : [spec.transform].flat(), required: spec.required };
  const keyed = (key: string) => (typeof spec === 'string' ? where : [...where, key]);
  if (spec.from !== undefined) field.from = paths(spec.from, keyed('from'), issues);
  if (spec.join !== undefined) field.join = { paths: paths(spec.join, keyed('join'), issues), separator: spec.separator };
  if (spec.value !== undefined) field.value = spec.value;
  if (spec.default !== undefined) field.default = spec.default;
  if (spec.lookup !== undefined) {
    const table = file.lookups[spec.lookup] ?? defaultLookups[spec.lookup];
    if (table === undefined) issues.push({ path: keyed('lookup'), message: `no lookup table named ${spec.lookup} (define it under lookups: or use ${Object.keys(defaultLookups).join(', ')})` });
    else field.lookup = { name: spec.lookup, table };
  }
  const sources = [...(field.from ?? []), ...(field.join?.paths ?? [])];
  if (spec.identifier !== undefined) field.identifier = spec.identifier;
  else if (sources.some(isDirectIdentifier)) field.identifier = 'drop';
  return field;
}

export function compileMapping(file: MappingFile, source: string): { mapping?: Mapping; issues: CompileIssue[] } {
  const issues: CompileIssue[] = [];
  const fields = Object.entries(file.fields ?? {}).map(([name, spec]) => compileField(name, spec, file, issues));
  const orderKey = file.orderKey === undefined ? [] : paths(file.orderKey, ['orderKey'], issues);
  let filter: Mapping['filter'];
  if (file.filter !== undefined) {
    const [path] = paths(file.filter.field, ['filter', 'field'], issues);
    if (path !== undefined) filter = { path, values: new Set(file.filter.in.map((value) => value.trim())), description: file.filter.description };
  }
  if (issues.length > 0) return { issues };
  const mapping: Mapping = {
    name: file.name,
    file: source,
    priority: file.priority,
    match: {
      messageType: file.match.messageType.toUpperCase(),
      triggerEvents: file.match.triggerEvents.map((event) => event.toUpperCase()),
      sendingFacilities: file.match.sendingFacilities,
    },
    action: file.action,
    orderKey,
    fields,
  };
  if (file.description !== undefined) mapping.description = file.description;
  if (file.target !== undefined) mapping.target = file.target;
  if (filter !== undefined) mapping.filter = filter;
  return { mapping, issues };
}
