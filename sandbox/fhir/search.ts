import type { IssueInput } from '../../core/fhir/outcome.js';
import type { Referral, ReferralStatus } from '../domain.js';
import { nativeIdCandidates, toFhirId } from './ids.js';
import { identifierSystems } from './profiles.js';
import { encounterStatus, serviceRequestStatus } from './resources.js';

/**
 * Search parameters of the two searchable types, parsed into a predicate
 * over referrals. Exactly these are declared in the CapabilityStatement.
 * Comma-separated values are ORed, repeated parameters ANDed (R4 §3.1.1.5.5).
 */

export type SearchableType = 'ServiceRequest' | 'Encounter';

export interface SearchParamSpec {
  name: string;
  type: 'token' | 'reference';
  /** The core SearchParameter it implements. */
  definition: string;
  documentation: string;
}

const common: SearchParamSpec[] = [
  { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id', documentation: 'Logical id (ref-… / enc-…)' },
  { name: 'patient', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/clinical-patient', documentation: 'Patient/{id} or {id}' },
  { name: 'subject', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/ServiceRequest-subject', documentation: 'Patient/{id}' },
];

export const searchParams: Readonly<Record<SearchableType, SearchParamSpec[]>> = {
  ServiceRequest: [
    ...common,
    { name: 'status', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/ServiceRequest-status', documentation: 'active (pending or matched) | revoked (cancelled)' },
    { name: 'identifier', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/clinical-identifier', documentation: '[system|]value: the identifier posted, or the referral id' },
  ],
  Encounter: [
    ...common.map((spec) => (spec.name === 'subject' ? { ...spec, definition: 'http://hl7.org/fhir/SearchParameter/Encounter-subject' } : spec)),
    { name: 'status', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Encounter-status', documentation: 'planned (pending or matched) | cancelled' },
  ],
};

/** Parameters that shape the result rather than filter it. */
export const resultParams = ['_count', '_offset', '_format'] as const;
export const defaultCount = 10;
export const maxCount = 100;

export interface ParsedSearch {
  predicate: (referral: Referral) => boolean;
  count: number;
  offset: number;
  /** The parameters applied, for the self link. */
  used: [string, string][];
  /** Names of parameters ignored because unsupported. */
  unknown: string[];
  /** Malformed values of supported parameters (always 400). */
  errors: IssueInput[];
}

function tokenCode(value: string): string {
  const bar = value.indexOf('|');
  return bar < 0 ? value : value.slice(bar + 1);
}

function referenceId(value: string): string {
  const match = /(?:^|\/)Patient\/([^/]+)$/.exec(value);
  return match?.[1] ?? value;
}

function integer(name: string, value: string, errors: IssueInput[]): number | undefined {
  if (!/^\d{1,9}$/.test(value)) {
    errors.push({ code: 'invalid', diagnostics: `${name} must be a non-negative integer`, expression: name });
    return undefined;
  }
  return Number(value);
}

export function parseSearch(type: SearchableType, query: URLSearchParams): ParsedSearch {
  const specs = new Map(searchParams[type].map((spec) => [spec.name, spec]));
  const statusView: Readonly<Record<ReferralStatus, string>> = type === 'ServiceRequest' ? serviceRequestStatus : encounterStatus;
  const tests: ((referral: Referral) => boolean)[] = [];
  const used: [string, string][] = [];
  const unknown: string[] = [];
  const errors: IssueInput[] = [];
  let count = defaultCount;
  let offset = 0;
  for (const [name, value] of query) {
    if (name === '_count') count = Math.min(maxCount, integer(name, value, errors) ?? defaultCount);
    else if (name === '_offset') offset = integer(name, value, errors) ?? 0;
    else if (name === '_format') continue; // Content negotiation already handled it.
    else if (!specs.has(name)) unknown.push(name);
    else if (value === '') continue; // R4: an empty parameter value is ignored.
    else {
      const values = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
      used.push([name, value]);
      if (name === '_id') {
        const ids = new Set(values.flatMap(nativeIdCandidates));
        tests.push((referral) => ids.has(type === 'ServiceRequest' ? referral.id : referral.encounterId));
      } else if (name === 'patient' || name === 'subject') {
        const ids = new Set(values.map(referenceId).flatMap(nativeIdCandidates));
        tests.push((referral) => ids.has(referral.patient.id));
      } else if (name === 'status') {
        const wanted = new Set(values.map(tokenCode));
        tests.push((referral) => wanted.has(statusView[referral.status]!));
      } else if (name === 'identifier') {
        tests.push((referral) => values.some((token) => identifierMatches(referral, token)));
      }
    }
  }
  return { predicate: (referral) => tests.every((test) => test(referral)), count, offset, used, unknown, errors };
}

function identifierMatches(referral: Referral, token: string): boolean {
  const bar = token.indexOf('|');
  const system = bar < 0 ? undefined : token.slice(0, bar);
  const value = bar < 0 ? token : token.slice(bar + 1);
  const posted = ((referral.fhir as { identifier?: { system?: string; value?: string }[] } | undefined)?.identifier ?? []).map((entry) => ({ system: entry.system, value: entry.value }));
  const own: { system: string; value: string }[] = [{ system: identifierSystems.referral, value: referral.id }, { system: identifierSystems.referral, value: toFhirId(referral.id) }];
  if (referral.externalId !== undefined && posted.length === 0) own.push({ system: identifierSystems.external, value: referral.externalId });
  return [...posted, ...own].some((entry) => entry.value === value && (system === undefined || (system === '' ? entry.system === undefined : entry.system === system)));
}
