/**
 * A validated FHIR mapping file → the form `mapFhir()` runs: every FHIRPath
 * compiled once, lookups resolved, identifier fields known. Problems come
 * back with the YAML path they were found at.
 */
import { compileFhirPath, FhirPathSyntaxError, type CompiledPath } from './fhirpath.js';
import { fhirLookups } from './lookups.js';
import type { FhirFieldSpec, FhirMappingFile } from './mapping-schema.js';
import type { CompiledField } from '../mapping/compile.js';

export type { IdentifierMode } from '../mapping/compile.js';

/** A FHIR mapping's output field: the HL7 v2 field shape with FHIRPath sources. */
export type FhirField = CompiledField<CompiledPath>;

export interface FhirMapping {
  name: string;
  file: string;
  description?: string | undefined;
  priority: number;
  when?: CompiledPath | undefined;
  target: 'native' | 'fhir';
  idempotencyKey: CompiledPath[];
  orderKey: CompiledPath[];
  zip: FhirField;
  fields: FhirField[];
}

export interface CompileIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Elements that identify a patient directly (HIPAA safe-harbour): names,
 * identifiers, telecom, birth date, street lines, contacts, photos, the
 * subject's display. City, state, postal code and country are not in it.
 */
const directIdentifier = /(^|[^\w%])(name|identifier|telecom|birthDate|line|contact|photo|display|text|id|reference)\b(?!\s*\()/;

export function isDirectIdentifierPath(expression: string): boolean {
  // Only paths into the Patient or the subject can identify the patient; codes and notes of the order do not.
  if (!/%patient|subject|%coverage/.test(expression)) return false;
  return directIdentifier.test(expression);
}

function compilePaths(list: string | readonly string[], where: (string | number)[], issues: CompileIssue[]): CompiledPath[] {
  const items = typeof list === 'string' ? [list] : list;
  const out: CompiledPath[] = [];
  items.forEach((item, index) => {
    try {
      out.push(compileFhirPath(item));
    } catch (error) {
      if (!(error instanceof FhirPathSyntaxError)) throw error;
      issues.push({ path: typeof list === 'string' ? where : [...where, index], message: error.message });
    }
  });
  return out;
}

export function compileField(name: string, spec: FhirFieldSpec, file: FhirMappingFile, where: (string | number)[], issues: CompileIssue[]): FhirField {
  const full = typeof spec === 'string' ? { from: spec, separator: ' ', required: false } : spec;
  const keyed = (key: string) => (typeof spec === 'string' ? where : [...where, key]);
  const field: FhirField = { name, transforms: full.transform === undefined ? [] : [full.transform].flat(), required: full.required };
  if (full.from !== undefined) field.from = compilePaths(full.from, keyed('from'), issues);
  if (full.join !== undefined) field.join = { paths: compilePaths(full.join, keyed('join'), issues), separator: full.separator };
  if (full.value !== undefined) field.value = full.value;
  if (full.default !== undefined) field.default = full.default;
  if (full.lookup !== undefined) {
    const table = file.lookups[full.lookup] ?? fhirLookups[full.lookup];
    if (table === undefined) issues.push({ path: keyed('lookup'), message: `no lookup table named ${full.lookup} (define it under lookups: or use ${Object.keys(fhirLookups).join(', ')})` });
    else field.lookup = { name: full.lookup, table };
  }
  const sources = [...(field.from ?? []), ...(field.join?.paths ?? [])];
  if (full.identifier !== undefined) field.identifier = full.identifier;
  else if (sources.some((path) => isDirectIdentifierPath(path.source))) field.identifier = 'drop';
  return field;
}

export function compileFhirMapping(file: FhirMappingFile, source: string): { mapping?: FhirMapping; issues: CompileIssue[] } {
  const issues: CompileIssue[] = [];
  const fields = Object.entries(file.fields).map(([name, spec]) => compileField(name, spec, file, ['fields', name], issues));
  const zip = compileField('zip', file.zip, file, ['zip'], issues);
  const when = file.when === undefined ? undefined : compilePaths(file.when, ['when'], issues)[0];
  const idempotencyKey = compilePaths(file.idempotencyKey, ['idempotencyKey'], issues);
  const orderKey = compilePaths(file.orderKey, ['orderKey'], issues);
  if (issues.length > 0) return { issues };
  return { mapping: { name: file.name, file: source, description: file.description, priority: file.priority, when, target: file.target, idempotencyKey, orderKey, zip, fields }, issues };
}
