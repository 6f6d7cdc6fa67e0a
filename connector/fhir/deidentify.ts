/**
 * Sandbox mode for the `fhir` target: a `clk_sandbox_` key never receives a
 * patient's direct identifiers (HIPAA safe harbour, 45 CFR 164.514(b)(2)).
 * The ServiceRequest keeps what a referral needs — codes, reason, priority,
 * dates, notes, the ZIP, city and state — and loses names, identifiers,
 * telecom, birth dates, street lines and contacts; ids the API needs to
 * tell one patient from another become stable pseudonyms. The native target
 * goes through the same `deidentify()` the HL7 v2 path uses, by field.
 * Pure; returns a copy.
 */
import type { Address, Identifier, Reference, Resource, ServiceRequest } from 'fhir/r4.js';
import { pseudonym } from '../delivery/deidentify.js';

/** Patient elements that are direct identifiers; `address` is cut down separately. */
const patientIdentifying = ['name', 'identifier', 'telecom', 'birthDate', 'contact', 'photo', 'link', 'generalPractitioner', 'managingOrganization', 'text', 'extension', 'modifierExtension'];

function cutAddress(address: Address): Address {
  const kept: Address = {};
  for (const key of ['use', 'type', 'city', 'district', 'state', 'postalCode', 'country'] as const) if (address[key] !== undefined) (kept as Record<string, unknown>)[key] = address[key];
  return kept;
}

/** The install-keyed pseudonym of one value (delivery/deidentify.ts `pseudonym`). */
type Alias = (value: string) => string;

function pseudonymIdentifier(identifier: Identifier, alias: Alias): Identifier {
  const kept: Identifier = {};
  if (identifier.system !== undefined) kept.system = identifier.system;
  if (identifier.value !== undefined) kept.value = alias(identifier.value);
  return kept;
}

/** `Patient/12345` → `Patient/p…`: the same patient keeps the same pseudonymous id; contained `#id`s stay. */
function pseudonymReference(reference: Reference | undefined, alias: Alias): Reference | undefined {
  if (reference === undefined) return undefined;
  const out: Reference = {};
  const match = reference.reference === undefined ? null : /^(.*\/)?(Patient|RelatedPerson)\/([^/]+)(\/_history\/.*)?$/.exec(reference.reference);
  if (reference.reference?.startsWith('#') === true) out.reference = reference.reference;
  else if (match !== null) out.reference = `${match[2]}/${alias(match[3]!)}`;
  else if (reference.reference !== undefined) out.reference = reference.reference;
  if (reference.type !== undefined) out.type = reference.type;
  if (reference.identifier !== undefined) out.identifier = pseudonymIdentifier(reference.identifier, alias);
  return out.reference === undefined && out.identifier === undefined ? undefined : out;
}

function deidentifyContained(resource: Resource, alias: Alias): Resource | undefined {
  const copy = structuredClone(resource) as Resource & Record<string, unknown>;
  switch (resource.resourceType) {
    case 'Patient':
      for (const key of patientIdentifying) delete copy[key];
      if (Array.isArray(copy.address)) copy.address = (copy.address as Address[]).map(cutAddress);
      // Safe harbour allows the year only; the API does not need it at all.
      delete copy.deceasedDateTime;
      return copy;
    case 'Condition':
      for (const key of ['identifier', 'asserter', 'recorder', 'note', 'text', 'encounter'] as const) delete copy[key];
      copy.subject = pseudonymReference(copy.subject as Reference, alias);
      return copy;
    case 'Location':
      // Only the place-of-service ZIP the connector itself added, or the sender's: cut to city/state/ZIP.
      if (copy.address !== undefined) copy.address = cutAddress(copy.address as Address);
      delete copy.name;
      delete copy.telecom;
      delete copy.identifier;
      return copy;
    default:
      // Encounters and Coverages carry account numbers, member ids and visit numbers a referral does not need.
      return undefined;
  }
}

/** `key`: the install's pseudonym key (delivery/pseudonym-key.ts). */
export function deidentifyServiceRequest(request: ServiceRequest, scope: string, key: Buffer): ServiceRequest {
  const alias: Alias = (value) => pseudonym(value, scope, key);
  const sr = structuredClone(request);
  delete sr.text;
  if (sr.identifier !== undefined) sr.identifier = sr.identifier.map((identifier) => pseudonymIdentifier(identifier, alias));
  const subject = pseudonymReference(sr.subject, alias);
  // R4 needs a subject; a display that names nobody keeps the resource valid (ref-1).
  sr.subject = subject ?? { display: 'patient (de-identified)' };
  const dropped = new Set<string>();
  if (sr.contained !== undefined) {
    const kept: Resource[] = [];
    for (const resource of sr.contained) {
      const cleaned = deidentifyContained(resource, alias);
      if (cleaned === undefined) dropped.add(`#${resource.id ?? ''}`);
      else kept.push(cleaned);
    }
    if (kept.length > 0) sr.contained = kept;
    else delete sr.contained;
  }
  if (sr.encounter !== undefined) delete sr.encounter;
  if (sr.insurance !== undefined) delete sr.insurance;
  const keep = (ref: Reference) => ref.reference === undefined || !dropped.has(ref.reference);
  for (const key of ['supportingInfo', 'reasonReference', 'locationReference'] as const) {
    const list = sr[key]?.filter(keep).map((ref) => (ref.reference?.startsWith('#') === true ? { reference: ref.reference } : ref));
    if (list === undefined || list.length === 0) delete sr[key];
    else sr[key] = list;
  }
  return sr;
}
