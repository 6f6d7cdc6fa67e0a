/**
 * What a FHIR sender posted, reduced to one referral: the ServiceRequest and
 * the resources it points at, each with the FHIRPath of where it sits in the
 * posted body (`Bundle.entry[1].resource`, `ServiceRequest.contained[0]`),
 * so every later issue can name the exact element. Pure.
 */
import type { Bundle, Condition, Coverage, Encounter, Identifier, Patient, Reference, Resource, ServiceRequest } from 'fhir/r4.js';
import type { IssueInput } from '../../core/fhir/outcome.js';

export interface Located<T extends Resource = Resource> {
  resource: T;
  /** FHIRPath of the resource in the posted body. */
  path: string;
  /** Where it came from: a Bundle entry (with its fullUrl) or the ServiceRequest's `contained`. */
  origin: 'entry' | 'contained';
  fullUrl?: string | undefined;
}

export interface FhirReferralInput {
  request: Located<ServiceRequest>;
  patient?: Located<Patient> | undefined;
  encounter?: Located<Encounter> | undefined;
  conditions: Located<Condition>[];
  coverage: Located<Coverage>[];
  /** Set when a Bundle was posted. */
  bundle?: { type: 'transaction' | 'batch'; identifier?: Identifier | undefined; entries: number; ifNoneExist?: string | undefined } | undefined;
  /** The posted Bundle (or nothing), for `%bundle` in mapping paths. */
  body: Resource;
}

/** Resource types a referral Bundle may carry besides its ServiceRequest. */
export const companionTypes = ['Patient', 'Encounter', 'Condition', 'Coverage'] as const;
/** Carried by many EHR exports; accepted and not sent on. */
export const ignoredTypes = ['Practitioner', 'PractitionerRole', 'Organization', 'Location', 'RelatedPerson'] as const;

type Pool = Located[];

/**
 * R4 §2.36.4.1: a reference in a Bundle resolves against `fullUrl`; an
 * absolute or `urn:uuid:` reference must equal one, a relative one
 * (`Patient/123`) matches an entry whose fullUrl ends with it or, failing
 * that, an entry of that type and id. `#id` names a contained resource.
 */
export function resolveReference(reference: Reference | undefined, entries: Pool, contained: Pool): Located | undefined {
  const ref = reference?.reference;
  if (ref === undefined || ref === '') return undefined;
  if (ref.startsWith('#')) return contained.find((item) => item.resource.id === ref.slice(1));
  const exact = entries.find((item) => item.fullUrl === ref);
  if (exact !== undefined || /^(urn:|https?:)/.test(ref)) return exact;
  const relative = ref.replace(/\/_history\/[^/]+$/, '');
  return (
    entries.find((item) => item.fullUrl?.endsWith(`/${relative}`)) ??
    entries.find((item) => `${item.resource.resourceType}/${item.resource.id ?? ''}` === relative)
  );
}

function containedOf(request: ServiceRequest, base: string): Pool {
  return (request.contained ?? []).map((resource, index) => ({ resource, path: `${base}.contained[${index}]`, origin: 'contained' as const }));
}

function typed<T extends Resource>(found: Located | undefined, type: T['resourceType']): Located<T> | undefined {
  return found?.resource.resourceType === type ? (found as Located<T>) : undefined;
}

/** Resolve what the ServiceRequest points at; issues for references that point at the wrong kind of thing. */
export function gather(request: Located<ServiceRequest>, entries: Pool, body: Resource, issues: IssueInput[]): FhirReferralInput {
  const sr = request.resource;
  const contained = containedOf(sr, request.path);
  const at = (element: string) => `${request.path}.${element}`;
  const subject = resolveReference(sr.subject, entries, contained);
  if (subject !== undefined && subject.resource.resourceType !== 'Patient') {
    issues.push({ code: 'business-rule', diagnostics: `the subject of a referral must be a Patient, not a ${subject.resource.resourceType}`, expression: at('subject') });
  } else if (sr.subject?.reference?.startsWith('urn:') === true && subject === undefined) {
    issues.push({ code: 'not-found', diagnostics: 'subject names a urn: fullUrl that is not in the Bundle', expression: at('subject.reference') });
  } else if (sr.subject?.reference?.startsWith('#') === true && subject === undefined) {
    issues.push({ code: 'not-found', diagnostics: 'subject names a contained resource that is not there', expression: at('subject.reference') });
  }
  const encounter = typed<Encounter>(resolveReference(sr.encounter, entries, contained), 'Encounter');
  const conditions: Located<Condition>[] = [];
  (sr.reasonReference ?? []).forEach((reference, index) => {
    const found = resolveReference(reference, entries, contained);
    if (found === undefined) return;
    if (found.resource.resourceType === 'Condition') conditions.push(found as Located<Condition>);
    else if (found.resource.resourceType !== 'Observation' && found.resource.resourceType !== 'DiagnosticReport' && found.resource.resourceType !== 'DocumentReference') {
      issues.push({ code: 'business-rule', diagnostics: `reasonReference must name a Condition, Observation, DiagnosticReport or DocumentReference, not a ${found.resource.resourceType}`, expression: at(`reasonReference[${index}]`) });
    }
  });
  const coverage = (sr.insurance ?? []).map((reference) => typed<Coverage>(resolveReference(reference, entries, contained), 'Coverage')).filter((item) => item !== undefined);
  return { request, patient: typed<Patient>(subject, 'Patient'), encounter, conditions, coverage, body };
}

/** A lone ServiceRequest (`POST /fhir/ServiceRequest`); its references resolve only to contained resources. */
export function fromServiceRequest(sr: ServiceRequest, issues: IssueInput[]): FhirReferralInput {
  return gather({ resource: sr, path: 'ServiceRequest', origin: 'entry' }, [], sr, issues);
}

/** A transaction or batch Bundle (`POST /fhir`) holding exactly one ServiceRequest. */
export function fromBundle(bundle: Bundle, issues: IssueInput[]): FhirReferralInput | undefined {
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
    issues.push({ code: 'not-supported', diagnostics: `only transaction and batch Bundles are accepted here, not ${bundle.type}`, expression: 'Bundle.type' });
    return undefined;
  }
  const entries: Pool = [];
  const requests: Located<ServiceRequest>[] = [];
  (bundle.entry ?? []).forEach((entry, index) => {
    const path = `Bundle.entry[${index}]`;
    const resource = entry.resource;
    if (resource === undefined) {
      issues.push({ code: 'required', diagnostics: 'each entry must carry a resource (this endpoint creates; it does not read or delete)', expression: `${path}.resource` });
      return;
    }
    const method = entry.request?.method;
    if (method !== undefined && method !== 'POST' && method !== 'PUT') {
      issues.push({ code: 'not-supported', diagnostics: `entry.request.method ${method} is not supported: a referral Bundle only creates (POST) or updates (PUT)`, expression: `${path}.request.method` });
    }
    const located: Located = { resource, path: `${path}.resource`, origin: 'entry', fullUrl: entry.fullUrl };
    if (resource.resourceType === 'ServiceRequest') requests.push(located as Located<ServiceRequest>);
    else if (!(companionTypes as readonly string[]).includes(resource.resourceType) && !(ignoredTypes as readonly string[]).includes(resource.resourceType)) {
      issues.push({ code: 'not-supported', diagnostics: `a referral Bundle holds a ServiceRequest with ${companionTypes.join(', ')}; ${resource.resourceType} is not accepted`, expression: `${path}.resource` });
    }
    entries.push(located);
  });
  if (requests.length !== 1) {
    issues.push({ code: requests.length === 0 ? 'required' : 'not-supported', diagnostics: `a referral Bundle holds exactly one ServiceRequest; this one holds ${requests.length}`, expression: 'Bundle.entry' });
    return undefined;
  }
  const input = gather(requests[0]!, entries, bundle, issues);
  // A conditional create inside a transaction is the ServiceRequest entry's request.ifNoneExist (R4 §3.1.0.11.2).
  const ifNoneExist = bundle.entry?.[Number(/\[(\d+)\]/.exec(requests[0]!.path)?.[1])]?.request?.ifNoneExist;
  input.bundle = { type: bundle.type, identifier: bundle.identifier, entries: entries.length, ifNoneExist };
  return input;
}
