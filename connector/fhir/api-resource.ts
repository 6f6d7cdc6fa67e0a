/**
 * The API's ServiceRequest for a delivered item, to answer
 * `Prefer: respond-sync` and the status URL with the real resource. The
 * delivery attempt already holds the API's answer (bounded to 2 KB); when it
 * was cut short, or the item went to the native API, it is read back with
 * `GET /v1/fhir/ServiceRequest/{id}` (one request, same key).
 */
import type { Resource, ServiceRequest } from 'fhir/r4.js';
import type { Journal } from '../../core/journal/types.js';

export interface ApiAccess {
  /** Discharge API base URL (its path is kept as a prefix). */
  url: string;
  key?: string | undefined;
  /** @default 5000 */
  timeoutMs?: number;
}

function parse(text: string | undefined): Resource | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Resource;
    return typeof value === 'object' && value !== null && typeof value.resourceType === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The API's URL of a ServiceRequest, for `Location` headers. */
export function apiServiceRequestUrl(api: ApiAccess, referralId: string): string {
  return `${api.url.replace(/\/+$/, '')}/v1/fhir/ServiceRequest/${encodeURIComponent(referralId.replace(/_/g, '-'))}`;
}

export async function apiServiceRequest(journal: Journal, api: ApiAccess, itemId: number, target: unknown, referralId: string): Promise<ServiceRequest | undefined> {
  if (target === 'fhir') {
    const attempts = await journal.attempts(itemId);
    const last = [...attempts].reverse().find((attempt) => attempt.ok);
    const resource = parse(last?.response);
    if (resource?.resourceType === 'ServiceRequest') return resource as ServiceRequest;
  }
  try {
    const response = await fetch(apiServiceRequestUrl(api, referralId), {
      headers: { accept: 'application/fhir+json', ...(api.key === undefined ? {} : { authorization: `Bearer ${api.key}` }) },
      signal: AbortSignal.timeout(api.timeoutMs ?? 5_000),
    });
    const resource = parse(await response.text());
    return response.ok && resource?.resourceType === 'ServiceRequest' ? (resource as ServiceRequest) : undefined;
  } catch {
    // The referral is delivered whatever happens here; the answer then names it by id only.
    return undefined;
  }
}
