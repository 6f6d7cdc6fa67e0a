/**
 * The `fhir` target: the posted ServiceRequest, made to stand alone for
 * `POST /v1/fhir/ServiceRequest`. The resources it pointed at inside the
 * Bundle travel as contained resources (R4 §2.7 "contained resources") and
 * every reference to a Bundle entry is rewritten to `#id`; a reference that
 * cannot be resolved outside the Bundle (`urn:uuid:`) keeps only its display.
 * Pure.
 */
import type { CodeableConcept, Reference, Resource, ServiceRequest } from 'fhir/r4.js';
import { resolveReference, type FhirReferralInput, type Located } from './input.js';
import type { Diagnosis } from './needs.js';

export interface PassthroughOptions {
  diagnosis: Diagnosis;
  /** The ZIP and whether the contained Patient already carries it. */
  zip: { value: string; onPatient: boolean };
}

/** R4 dom-2/dom-4/dom-5: a contained resource holds no contained resources, no versionId/lastUpdated, no security labels. */
function asContained<T extends Resource>(resource: T, id: string): T {
  const copy = structuredClone(resource) as T & { contained?: unknown; text?: unknown };
  delete copy.meta;
  delete copy.contained;
  // The narrative repeats names and addresses and is not needed to make a referral.
  delete copy.text;
  copy.id = id;
  return copy;
}

/** Rewrite every `reference` inside `node` (in place) with `rewrite`; undefined removes the reference, keeping display. */
function rewriteReferences(node: unknown, rewrite: (reference: string) => string | undefined): void {
  if (Array.isArray(node)) {
    for (const entry of node) rewriteReferences(entry, rewrite);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record.reference === 'string') {
    const next = rewrite(record.reference);
    if (next === undefined) delete record.reference;
    else record.reference = next;
  }
  for (const [key, value] of Object.entries(record)) if (key !== 'contained') rewriteReferences(value, rewrite);
}

function hasIcd10(concepts: readonly CodeableConcept[] | undefined, code: string): boolean {
  return (concepts ?? []).some((concept) => (concept.coding ?? []).some((coding) => coding.system === 'http://hl7.org/fhir/sid/icd-10-cm' && coding.code !== undefined && coding.code.replace('.', '').toUpperCase() === code.replace('.', '')));
}

export function passthroughServiceRequest(input: FhirReferralInput, options: PassthroughOptions): ServiceRequest {
  const sr = structuredClone(input.request.resource);
  // A create carries no server-assigned id or version.
  delete sr.id;
  delete sr.meta;
  const contained: Resource[] = [...(sr.contained ?? [])];
  const taken = new Set(contained.map((resource) => resource.id));
  const localIds = new Map<Located, string>();
  const entries = ([input.patient, input.encounter, ...input.conditions, ...input.coverage] as (Located | undefined)[]).filter((item): item is Located => item !== undefined && item.origin === 'entry');
  for (const item of entries) {
    if (localIds.has(item)) continue;
    let id = item.resource.resourceType.toLowerCase();
    for (let n = 2; taken.has(id); n++) id = `${item.resource.resourceType.toLowerCase()}${n}`;
    taken.add(id);
    localIds.set(item, id);
  }
  const pool = entries;
  const rewrite = (reference: string): string | undefined => {
    if (reference.startsWith('#')) return reference;
    const found = resolveReference({ reference }, pool, []);
    if (found !== undefined) return `#${localIds.get(found)!}`;
    // urn:uuid: only means something inside the Bundle it came from.
    return reference.startsWith('urn:') ? undefined : reference;
  };
  for (const [item, id] of localIds) {
    const copy = asContained(item.resource, id);
    rewriteReferences(copy, rewrite);
    contained.push(copy);
  }
  for (const key of Object.keys(sr) as (keyof ServiceRequest)[]) if (key !== 'contained') rewriteReferences(sr[key], rewrite);
  dropEmptyReferences(sr);

  // The API reads the diagnosis from reasonCode only: copy it there when it came from a Condition.
  if (options.diagnosis.fromCondition !== undefined && !hasIcd10(sr.reasonCode, options.diagnosis.code)) {
    sr.reasonCode = [...(sr.reasonCode ?? []), structuredClone(options.diagnosis.fromCondition)];
  }
  // A ZIP that the Patient does not carry (a mapping default) travels as the place of service.
  if (!options.zip.onPatient) {
    let id = 'home';
    for (let n = 2; taken.has(id); n++) id = `home${n}`;
    contained.push({ resourceType: 'Location', id, mode: 'kind', address: { use: 'home', postalCode: options.zip.value } } as Resource);
    sr.locationReference = [{ reference: `#${id}` }, ...(sr.locationReference ?? [])];
  }
  if (contained.length > 0) sr.contained = contained;
  return sr;
}

/** References left with neither `reference`, `identifier` nor `display` are removed (R4 ref-1 wants one of them). */
function dropEmptyReferences(sr: ServiceRequest): void {
  const empty = (ref: Reference | undefined) => ref !== undefined && ref.reference === undefined && ref.identifier === undefined && ref.display === undefined;
  if (empty(sr.encounter)) delete sr.encounter;
  if (empty(sr.requester)) delete sr.requester;
  for (const key of ['reasonReference', 'insurance', 'supportingInfo', 'performer', 'locationReference', 'specimen', 'basedOn', 'replaces', 'relevantHistory'] as const) {
    const list = sr[key] as Reference[] | undefined;
    if (list === undefined) continue;
    const kept = list.filter((ref) => !empty(ref));
    if (kept.length === 0) delete sr[key];
    else (sr as unknown as Record<string, unknown>)[key] = kept;
  }
}
