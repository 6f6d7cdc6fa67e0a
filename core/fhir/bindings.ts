import { getDataType, tryGetDataType } from '@medplum/core';
import type { InternalTypeSchema } from '@medplum/core';
import type { OperationOutcomeIssue } from 'fhir/r4.js';
import { valueSetCodesFor } from './definitions.js';
import { issue } from './outcome.js';

/**
 * Codes outside a REQUIRED value set (R4 §4.1: "must be from the value set").
 * `@medplum/core`'s validator checks structure and cardinality but not these,
 * so a ServiceRequest with `status: "bogus"` would pass it. Only primitive
 * `code` elements are checked (status, intent, priority, gender, use…): those
 * are where a wrong value changes meaning.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function elementTypeSchema(code: string): InternalTypeSchema | undefined {
  // Backbone elements are indexed under their generated names (EncounterStatusHistory).
  return tryGetDataType(code);
}

function checkValue(value: unknown, schema: InternalTypeSchema, path: string, issues: OperationOutcomeIssue[], depth: number): void {
  if (!isObject(value) || depth > 12) return;
  for (const [key, child] of Object.entries(value)) {
    const element = schema.elements[key];
    if (element === undefined) continue;
    const values = Array.isArray(child) ? child : [child];
    values.forEach((item, index) => {
      const at = Array.isArray(child) ? `${path}.${key}[${index}]` : `${path}.${key}`;
      const typeCode = element.type[0]?.code;
      if (typeCode === 'code' && element.binding?.strength === 'required' && element.binding.valueSet !== undefined) {
        const codes = valueSetCodesFor(element.binding.valueSet);
        if (typeof item === 'string' && codes !== undefined && !codes.has(item)) {
          const allowed = codes.size <= 12 ? `: one of ${[...codes].join(', ')}` : '';
          issues.push(issue({ code: 'code-invalid', diagnostics: `"${item}" is not in the required value set ${element.binding.valueSet.split('|')[0]}${allowed}`, expression: at }));
        }
        return;
      }
      if (key === 'contained' || typeCode === 'Resource') {
        const type = isObject(item) && typeof item.resourceType === 'string' ? tryGetDataType(item.resourceType) : undefined;
        if (type !== undefined) checkValue(item, type, at, issues, depth + 1);
        return;
      }
      const type = typeCode === undefined || element.type.length !== 1 ? undefined : elementTypeSchema(typeCode);
      if (type !== undefined) checkValue(item, type, at, issues, depth + 1);
    });
  }
}

/** Issues (severity error, code `code-invalid`) for every code outside its required value set. */
export function requiredBindingIssues(resource: { resourceType: string }): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  checkValue(resource, getDataType(resource.resourceType), resource.resourceType, issues, 0);
  return issues;
}
