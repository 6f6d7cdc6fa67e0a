/**
 * What the FHIR door answers about a stored referral — on the status URL
 * (`GET /fhir/_status/{id}`), after `Prefer: respond-sync`, and for a repeat.
 * Follows the FHIR asynchronous request pattern: 202 while in progress
 * (`X-Progress`), the result when done, a 4xx/5xx OperationOutcome when it
 * failed for good. Pure: the API's resource is fetched by the caller.
 */
import type { OperationOutcome, Resource } from 'fhir/r4.js';
import { operationOutcome } from '../../core/fhir/outcome.js';
import type { JournalItem } from '../../core/journal/types.js';
import type { DeliveredResult } from '../delivery/handler.js';

export interface FhirAnswer {
  status: number;
  resource?: Resource | undefined;
  headers: Record<string, string>;
}

/** The referral id system, so a client finds the API's id in a structured place. */
export const referralIdSystem = 'https://caraloom.com/fhir/sid/referral-id';

export function deliveredResult(item: JournalItem): DeliveredResult | undefined {
  const result = item.result as DeliveredResult | null | undefined;
  return item.status === 'delivered' && result !== null && typeof result === 'object' ? result : undefined;
}

function failureOutcome(item: JournalItem): { status: number; outcome: OperationOutcome } {
  const result = item.result as { httpStatus?: number; answer?: unknown } | null;
  const answer = result?.answer as Resource | undefined;
  const status = typeof result?.httpStatus === 'number' && result.httpStatus >= 400 ? result.httpStatus : 502;
  if (answer?.resourceType === 'OperationOutcome') return { status, outcome: answer as OperationOutcome };
  return { status, outcome: operationOutcome([{ code: status >= 500 ? 'transient' : 'processing', diagnostics: `the Discharge API refused the referral: ${(item.lastError ?? 'no answer').slice(0, 200)}` }]) };
}

export interface StatusContext {
  statusUrl: string;
  /** The API's URL of the delivered ServiceRequest. */
  apiLocation?: string | undefined;
  /** The API's ServiceRequest, when it could be had. */
  apiResource?: Resource | undefined;
  /** Why it could not be had (a failed read-back), said in the answer rather than hidden. */
  apiProblem?: string | undefined;
}

export function statusAnswer(item: JournalItem, context: StatusContext): FhirAnswer {
  const headers: Record<string, string> = { 'Content-Location': context.statusUrl };
  switch (item.status) {
    case 'queued': {
      const progress = item.attempts === 0 ? 'stored, waiting for delivery' : `stored, ${item.attempts} delivery attempt${item.attempts === 1 ? '' : 's'} so far`;
      headers['X-Progress'] = progress;
      headers['Retry-After'] = '5';
      const diagnostics = item.lastError === null ? progress : `${progress}; last: ${item.lastError.slice(0, 200)}; next at ${new Date(item.availableAt).toISOString()}`;
      return { status: 202, headers, resource: operationOutcome([{ severity: 'information', code: 'informational', diagnostics }]) };
    }
    case 'delivered': {
      const result = deliveredResult(item);
      const referralId = result?.referralId;
      if (context.apiLocation !== undefined) headers.Location = context.apiLocation;
      if (context.apiResource !== undefined) return { status: 200, headers, resource: context.apiResource };
      const delivered = { severity: 'information' as const, code: 'informational' as const, diagnostics: `delivered: referral ${referralId ?? '(id not returned)'}`, ...(referralId === undefined ? {} : { details: { coding: [{ system: referralIdSystem, code: referralId }], text: `referral ${referralId}` } }) };
      const problem = context.apiProblem === undefined ? [] : [{ severity: 'warning' as const, code: 'transient' as const, diagnostics: `the API's ServiceRequest is not shown: ${context.apiProblem}` }];
      return { status: 200, headers, resource: operationOutcome([delivered, ...problem]) };
    }
    case 'dead': {
      const { status, outcome } = failureOutcome(item);
      return { status, headers, resource: outcome };
    }
    case 'cancelled':
      return { status: 410, headers, resource: operationOutcome([{ code: 'deleted', diagnostics: `cancelled before delivery: ${(item.lastError ?? '').slice(0, 200)}` }]) };
    default:
      return { status: 410, headers, resource: operationOutcome([{ code: 'processing', diagnostics: `not delivered: ${item.status}` }]) };
  }
}
