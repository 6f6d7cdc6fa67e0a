import { isResourceType, OperationOutcomeError, validateResource } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from 'fhir/r4.js';
import { requiredBindingIssues } from './bindings.js';
import { ensureStructureDefinitions } from './definitions.js';
import { issue } from './outcome.js';

/**
 * FHIR R4 validation with an independent validator: `@medplum/core` over the
 * official 4.0.1 StructureDefinitions (structure, cardinality, types,
 * primitive formats, invariants), plus the required-binding check it leaves
 * out. Definitions are loaded on the first call.
 */

export interface ValidationResult {
  /** True when no issue is an error. */
  valid: boolean;
  /** Errors first, then warnings; each with a FHIRPath `expression`. */
  issues: OperationOutcomeIssue[];
}

/**
 * Medplum puts the sentence in `details.text`; clients often show
 * `diagnostics`, so both carry it. A missing mandatory element becomes issue
 * type `required` (medplum says `structure`), naming the element.
 */
function withDiagnostics(entry: OperationOutcomeIssue): OperationOutcomeIssue {
  const where = entry.expression?.[0];
  if (entry.details?.text === 'Missing required property' && where !== undefined) {
    return { ...entry, code: 'required', diagnostics: `${where} is required` };
  }
  return entry.diagnostics === undefined && entry.details?.text !== undefined ? { ...entry, diagnostics: entry.details.text } : entry;
}

/**
 * Validate any JSON value as an R4 resource. Never throws for bad input:
 * a non-object or an unknown `resourceType` is reported as an issue.
 * @param expectedType when given, a different `resourceType` is an error.
 */
export function validateFhirResource(value: unknown, expectedType?: string): ValidationResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { valid: false, issues: [issue({ code: 'structure', diagnostics: 'a FHIR resource must be a JSON object' })] };
  }
  const resourceType = (value as { resourceType?: unknown }).resourceType;
  if (typeof resourceType !== 'string' || resourceType.length === 0) {
    return { valid: false, issues: [issue({ code: 'required', diagnostics: 'resourceType is missing', expression: 'resourceType' })] };
  }
  if (expectedType !== undefined && resourceType !== expectedType) {
    return { valid: false, issues: [issue({ code: 'invalid', diagnostics: `expected resourceType ${expectedType}, got ${resourceType.slice(0, 64)}`, expression: 'resourceType' })] };
  }
  ensureStructureDefinitions();
  if (!isResourceType(resourceType)) {
    return { valid: false, issues: [issue({ code: 'not-supported', diagnostics: `unknown resourceType ${String(resourceType).slice(0, 64)}`, expression: 'resourceType' })] };
  }
  let issues: OperationOutcomeIssue[];
  try {
    issues = validateResource(value as Resource).map(withDiagnostics);
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    issues = error.outcome.issue.map(withDiagnostics);
  }
  issues.push(...requiredBindingIssues(value as Resource));
  const rank = (entry: OperationOutcomeIssue): number => (entry.severity === 'fatal' || entry.severity === 'error' ? 0 : 1);
  issues.sort((a, b) => rank(a) - rank(b));
  return { valid: !issues.some((entry) => rank(entry) === 0), issues };
}
