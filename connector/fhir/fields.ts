/**
 * One mapping field evaluated over a referral input: sources tried in
 * order, transforms, lookup, default, `required`. Pure; a problem is an
 * issue naming the element the value was read from.
 */
import type { IssueInput } from '../../core/fhir/outcome.js';
import { applyTransform, type TransformName } from '../mapping/transforms.js';
import { firstText, type CompiledPath, type Environment } from './fhirpath.js';
import type { FhirReferralInput } from './input.js';
import type { FhirField } from './mapping-compile.js';

export interface FieldValue {
  value?: string | number | boolean | undefined;
  /** The expression that gave the value (undefined for constants and defaults). */
  source?: string | undefined;
  /** True when the value is the field's `default`. */
  defaulted?: boolean;
}

export function environmentOf(input: FhirReferralInput): Environment {
  return {
    patient: input.patient?.resource,
    encounter: input.encounter?.resource,
    conditions: input.conditions.map((item) => item.resource),
    coverage: input.coverage.map((item) => item.resource),
    bundle: input.bundle === undefined ? undefined : input.body,
  };
}

/** A mapping path as FHIRPath into the posted body, so issues point where the sender looks. */
export function rooted(expression: string, input: FhirReferralInput): string {
  const env = /^%(patient|encounter)\b/.exec(expression);
  if (env !== null) {
    const located = env[1] === 'patient' ? input.patient : input.encounter;
    return located === undefined ? expression : located.path + expression.slice(env[0].length);
  }
  if (expression.startsWith('%')) return expression;
  return `${input.request.path}.${expression}`;
}

/** FHIR dates are ISO already; the HL7 TS transforms only apply to HL7-shaped values. */
function transform(name: TransformName, value: string): string | undefined {
  if ((name === 'date' || name === 'datetime') && /^\d{4}(-\d{2}(-\d{2})?)?([T ].*)?$/.test(value)) {
    return name === 'date' ? (value.length >= 10 ? value.slice(0, 10) : undefined) : value;
  }
  return applyTransform(name, value);
}

function lookUp(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return table[key] ?? table[key.trim().toUpperCase()] ?? Object.entries(table).find(([k]) => k.trim().toUpperCase() === key.trim().toUpperCase())?.[1];
}

export function evaluateField(field: FhirField, input: FhirReferralInput, env: Environment, issues: IssueInput[]): FieldValue {
  const root = input.request.resource;
  if (field.value !== undefined) return { value: field.value };
  let raw: string | undefined;
  let source: CompiledPath | undefined;
  try {
    if (field.from !== undefined) {
      for (const path of field.from) {
        raw = firstText(path.evaluate(root, env));
        if (raw !== undefined) {
          source = path;
          break;
        }
      }
    } else if (field.join !== undefined) {
      const parts = field.join.paths.map((path) => firstText(path.evaluate(root, env))).filter((part) => part !== undefined && part.trim() !== '');
      if (parts.length > 0) {
        raw = parts.join(field.join.separator);
        source = field.join.paths[0];
      }
    }
  } catch (error) {
    // A runtime FHIRPath failure (a function given the wrong kind of input) is the mapping's fault, not the sender's.
    issues.push({ severity: 'error', code: 'exception', diagnostics: `mapping field ${field.name} could not be evaluated: ${(error as Error).message.slice(0, 160)}` });
    return {};
  }
  const where = source === undefined ? rooted(field.from?.[0]?.source ?? field.join?.paths[0]?.source ?? field.name, input) : rooted(source.source, input);
  if (raw !== undefined) {
    let value: string | undefined = raw;
    for (const name of field.transforms) {
      value = value === undefined ? undefined : transform(name, value);
    }
    if (value === undefined) {
      issues.push({ code: 'value', diagnostics: `${field.name}: the value cannot be read as ${field.transforms.join(' then ')}`, expression: where });
      return {};
    }
    if (field.lookup !== undefined) {
      const found = lookUp(field.lookup.table, value);
      if (found === undefined) {
        issues.push({ code: 'code-invalid', diagnostics: `${field.name}: code ${value.slice(0, 40)} is not in lookup table ${field.lookup.name}`, expression: where });
        return {};
      }
      value = found;
    }
    if (value !== '') return { value, source: source?.source };
  }
  if (field.default !== undefined) return { value: field.default, defaulted: true };
  if (field.required) issues.push({ code: 'required', diagnostics: `${field.name} is required and ${where} is empty`, expression: where });
  return {};
}
