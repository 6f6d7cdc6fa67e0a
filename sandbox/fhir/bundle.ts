import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, BundleLink, OperationOutcome, Resource } from 'fhir/r4.js';

/**
 * A searchset Bundle (R4 §3.1.1.3): `total` counts every match, `link`
 * carries self/first/previous/next with `_count`/`_offset` so a client can
 * page by following `next` as given, each entry has an absolute `fullUrl`,
 * and a warning OperationOutcome (search.mode `outcome`) lists ignored
 * parameters.
 */

export interface SearchsetInput {
  /** `http://host:port/v1/fhir`. */
  base: string;
  type: string;
  page: Resource[];
  total: number;
  used: readonly [string, string][];
  count: number;
  offset: number;
  outcome?: OperationOutcome | undefined;
  now: string;
}

function pageUrl(input: SearchsetInput, offset: number): string {
  const query = new URLSearchParams([...input.used]);
  query.set('_count', String(input.count));
  if (offset > 0) query.set('_offset', String(offset));
  return `${input.base}/${input.type}?${query.toString()}`;
}

export function searchsetBundle(input: SearchsetInput): Bundle {
  const link: BundleLink[] = [
    { relation: 'self', url: pageUrl(input, input.offset) },
    { relation: 'first', url: pageUrl(input, 0) },
  ];
  if (input.offset > 0 && input.count > 0) link.push({ relation: 'previous', url: pageUrl(input, Math.max(0, input.offset - input.count)) });
  if (input.count > 0 && input.offset + input.count < input.total) link.push({ relation: 'next', url: pageUrl(input, input.offset + input.count) });
  const entry: BundleEntry[] = input.page.map((resource) => ({
    fullUrl: `${input.base}/${resource.resourceType}/${resource.id!}`,
    resource,
    search: { mode: 'match' },
  }));
  if (input.outcome !== undefined) entry.push({ fullUrl: `urn:uuid:${randomUUID()}`, resource: input.outcome, search: { mode: 'outcome' } });
  const bundle: Bundle = { resourceType: 'Bundle', id: randomUUID(), meta: { lastUpdated: input.now }, type: 'searchset', total: input.total, link };
  if (entry.length > 0) bundle.entry = entry;
  return bundle;
}
