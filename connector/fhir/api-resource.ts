/**
 * The API's ServiceRequest for a delivered item, to answer
 * `Prefer: respond-sync` and the status URL with the real resource. The
 * delivery attempt already holds the API's answer (bounded to 2 KB); when it
 * was cut short, or the item went to the native API, it is read back with
 * `GET /v1/fhir/ServiceRequest/{id}` through the connector's one ApiClient
 * (its timeouts, its keep-alive pool). A failed read is reported, not hidden:
 * the referral stays delivered, and the answer says why it names only the id.
 */
import type { Resource, ServiceRequest } from 'fhir/r4.js';
import { describeError } from '../../core/errors.js';
import type { Journal } from '../../core/journal/types.js';
import type { ApiAnswer, ApiClient } from '../delivery/api-client.js';

export type ApiRead = { resource: ServiceRequest } | { problem: string };

function parse(text: string | undefined): Resource | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Resource;
    return typeof value === 'object' && value !== null && typeof value.resourceType === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The API's path of a ServiceRequest (its FHIR ids use `-` where native ids use `_`). */
export function apiServiceRequestPath(referralId: string): string {
  return `/v1/fhir/ServiceRequest/${encodeURIComponent(referralId.replace(/_/g, '-'))}`;
}

export async function apiServiceRequest(journal: Journal, api: ApiClient, itemId: number, target: unknown, referralId: string): Promise<ApiRead> {
  if (target === 'fhir') {
    const attempts = await journal.attempts(itemId);
    const last = [...attempts].reverse().find((attempt) => attempt.ok);
    const resource = parse(last?.response);
    if (resource?.resourceType === 'ServiceRequest') return { resource: resource as ServiceRequest };
  }
  let answer: ApiAnswer;
  try {
    answer = await api.get(apiServiceRequestPath(referralId), { accept: 'application/fhir+json' });
  } catch (error) {
    return { problem: `reading it back from the API failed: ${describeError(error).slice(0, 160)}` };
  }
  const resource = answer.json as Resource | undefined;
  if (answer.status >= 200 && answer.status < 300 && resource?.resourceType === 'ServiceRequest') return { resource: resource as ServiceRequest };
  return { problem: `reading it back from the API answered HTTP ${answer.status}` };
}
