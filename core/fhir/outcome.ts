import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4.js';
import { CaraloomError } from '../errors.js';

/**
 * OperationOutcome building, shared by every FHIR door (the sandbox facade and
 * the connector's FHIR intake). Issues point at the offending element with a
 * FHIRPath `expression` (`ServiceRequest.reasonCode[0].coding[0].code`), which
 * is what R4 clients read; `diagnostics` is a short, PHI-free sentence.
 */

export type IssueSeverity = OperationOutcomeIssue['severity'];
export type IssueType = OperationOutcomeIssue['code'];

export interface IssueInput {
  /** @default 'error' */
  severity?: IssueSeverity;
  /** R4 issue-type code (`required`, `value`, `code-invalid`, `not-found`…). */
  code: IssueType;
  /** A short sentence a developer can act on. Never patient data. */
  diagnostics: string;
  /** FHIRPath of each element concerned. */
  expression?: string | readonly string[] | undefined;
}

export function issue(input: IssueInput | OperationOutcomeIssue): OperationOutcomeIssue {
  const { expression, severity, ...rest } = input;
  const built: OperationOutcomeIssue = { severity: severity ?? 'error', ...rest };
  if (expression !== undefined) built.expression = typeof expression === 'string' ? [expression] : [...expression];
  return built;
}

/** An OperationOutcome from issues (R4 needs at least one: an empty list becomes an `informational` "All OK"). */
export function operationOutcome(issues: readonly (IssueInput | OperationOutcomeIssue)[]): OperationOutcome {
  const list = issues.map(issue);
  return { resourceType: 'OperationOutcome', issue: list.length > 0 ? list : [{ severity: 'information', code: 'informational', diagnostics: 'All OK' }] };
}

/** True when any issue is an error or fatal (warnings and information do not fail a resource). */
export function hasErrors(issues: readonly OperationOutcomeIssue[]): boolean {
  return issues.some((entry) => entry.severity === 'error' || entry.severity === 'fatal');
}

/**
 * A failure a FHIR door answers with an OperationOutcome. `code` stays one of
 * the product's stable error codes; `details` carries the OperationOutcome so
 * any door (or a log line of codes) can use it.
 */
export class FhirOutcomeError extends CaraloomError {
  readonly outcome: OperationOutcome;

  constructor(code: string, status: number, issues: readonly (IssueInput | OperationOutcomeIssue)[], cause?: unknown) {
    const outcome = operationOutcome(issues);
    super(code, outcome.issue[0]?.diagnostics ?? outcome.issue[0]?.details?.text ?? code, { status, expose: true, details: outcome, cause });
    this.name = 'FhirOutcomeError';
    this.outcome = outcome;
  }
}

/** The R4 issue type that best describes an HTTP status, for errors raised outside the FHIR code. */
export function issueTypeForStatus(status: number): IssueType {
  if (status === 401) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too-long';
  if (status === 415 || status === 406) return 'not-supported';
  if (status === 422) return 'processing';
  if (status === 429) return 'throttled';
  if (status === 400) return 'invalid';
  return status >= 500 ? 'exception' : 'processing';
}

/**
 * Any thrown value as `{status, outcome}`: a FhirOutcomeError keeps its
 * issues, another CaraloomError becomes one issue with its exposed message,
 * anything else is a 500 whose text reveals nothing.
 */
export function outcomeFromError(error: unknown): { status: number; outcome: OperationOutcome } {
  if (error instanceof FhirOutcomeError) return { status: error.status, outcome: error.outcome };
  if (error instanceof CaraloomError) {
    const diagnostics = error.expose ? error.message : 'internal error';
    return { status: error.status, outcome: operationOutcome([{ code: issueTypeForStatus(error.status), diagnostics }]) };
  }
  const status = (error as { status?: unknown; expose?: unknown } | null)?.status;
  const exposed = (error as { expose?: unknown } | null)?.expose === true;
  if (typeof status === 'number' && status >= 400 && status < 500 && exposed) {
    return { status, outcome: operationOutcome([{ code: issueTypeForStatus(status), diagnostics: (error as Error).message }]) };
  }
  return { status: 500, outcome: operationOutcome([{ severity: 'fatal', code: 'exception', diagnostics: 'internal error' }]) };
}
