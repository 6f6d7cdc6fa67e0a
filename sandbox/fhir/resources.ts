import type { CodeableConcept, Encounter, Patient, Reference, ServiceRequest } from 'fhir/r4.js';
import { icd10CmCoding } from '../../core/fhir/icd10.js';
import type { Referral, ReferralStatus } from '../domain.js';
import { toFhirId } from './ids.js';
import { careTypeCode, careTypeSnomed, careTypeSystem, dataAbsentReason, homeHealthClass, identifierSystems, profiles, referralCategory, testDataTag } from './profiles.js';

/**
 * The FHIR R4 view of a referral: the ServiceRequest (the order), its Patient
 * (de-identified) and its Encounter (the planned home-health visit). Pure
 * functions of the stored referral, so both doors always show the same thing.
 */

/** ServiceRequest.status for each referral status (request-status, required binding). */
export const serviceRequestStatus: Readonly<Record<ReferralStatus, ServiceRequest['status']>> = {
  pending: 'active',
  matched: 'active',
  cancelled: 'revoked',
};

/** Encounter.status: the home visit is planned until the referral is cancelled. */
export const encounterStatus: Readonly<Record<ReferralStatus, Encounter['status']>> = {
  pending: 'planned',
  matched: 'planned',
  cancelled: 'cancelled',
};

function meta(referral: Referral, profile: string): ServiceRequest['meta'] {
  return { versionId: '1', lastUpdated: referral.updatedAt, profile: [profile], tag: [testDataTag] };
}

export function patientReference(referral: Referral): Reference {
  const reference: Reference = { reference: `Patient/${toFhirId(referral.patient.id)}` };
  if (referral.patient.display !== undefined) reference.display = referral.patient.display;
  return reference;
}

export function reasonConcept(referral: Referral): CodeableConcept {
  const diagnosis = referral.primaryDiagnosis;
  return diagnosis.code === undefined ? { text: diagnosis.display } : { coding: [icd10CmCoding(diagnosis.code, diagnosis.display)], text: diagnosis.display };
}

export function careTypeConcept(careType: string): CodeableConcept {
  const snomed = careTypeSnomed[careType];
  const own = { system: careTypeSystem, code: careTypeCode(careType), display: careType };
  return { coding: snomed === undefined ? [own] : [snomed, own], text: careType };
}

/** Elements of the posted ServiceRequest kept verbatim: none of them references anything, so none can dangle. */
export const keptElements = ['identifier', 'intent', 'category', 'code', 'orderDetail', 'reasonCode', 'note', 'occurrenceDateTime', 'occurrencePeriod', 'authoredOn', 'patientInstruction'] as const;

/** The kept elements of a posted ServiceRequest (what the FHIR view shows back; contained resources are not kept). */
export function keptElementsFrom(request: ServiceRequest): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of keptElements) if (request[key] !== undefined) kept[key] = request[key];
  return kept;
}

export function toServiceRequest(referral: Referral): ServiceRequest {
  const posted = (referral.fhir ?? {}) as Partial<ServiceRequest>;
  const identifier = [{ system: identifierSystems.referral, value: referral.id }, ...(posted.identifier ?? [])];
  if (posted.identifier === undefined && referral.externalId !== undefined) identifier.push({ system: identifierSystems.external, value: referral.externalId });
  const resource: ServiceRequest = {
    resourceType: 'ServiceRequest',
    id: toFhirId(referral.id),
    meta: meta(referral, profiles.serviceRequest),
    identifier,
    status: serviceRequestStatus[referral.status],
    intent: posted.intent ?? 'order',
    category: posted.category ?? [{ coding: [referralCategory], text: 'Discharge referral' }],
    priority: referral.priority,
    code: posted.code ?? careTypeConcept(referral.careType),
    orderDetail: posted.orderDetail,
    subject: patientReference(referral),
    encounter: { reference: `Encounter/${toFhirId(referral.encounterId)}` },
    authoredOn: posted.authoredOn ?? referral.createdAt,
    reasonCode: posted.reasonCode ?? [reasonConcept(referral)],
    note: posted.note ?? (referral.notes === undefined ? undefined : [{ text: referral.notes }]),
    patientInstruction: posted.patientInstruction,
  };
  if (posted.occurrencePeriod !== undefined) resource.occurrencePeriod = posted.occurrencePeriod;
  else if (posted.occurrenceDateTime !== undefined) resource.occurrenceDateTime = posted.occurrenceDateTime;
  else if (referral.dischargeDate !== undefined) resource.occurrenceDateTime = referral.dischargeDate;
  if (referral.facility !== undefined) resource.requester = { display: referral.facility };
  // Matched clinicians by display only: the sandbox serves no Practitioner resources to point at.
  if (referral.matches.length > 0) resource.performer = referral.matches.map((match) => ({ display: match.displayName }));
  return prune(resource);
}

/**
 * De-identified: no name, birth date or address; gender `unknown` and the
 * name marked `masked`, which is how US Core says "withheld" for its
 * must-have elements.
 */
export function toPatient(referral: Referral): Patient {
  return prune<Patient>({
    resourceType: 'Patient',
    id: toFhirId(referral.patient.id),
    meta: meta(referral, profiles.patient),
    identifier: [{ system: identifierSystems.patient, value: toFhirId(referral.patient.id) }],
    name: [{ extension: [{ url: dataAbsentReason, valueCode: 'masked' }] }],
    gender: 'unknown',
    // State only: under HIPAA Safe Harbor a five-digit ZIP is an identifier, a state is not.
    address: referral.state === undefined ? undefined : [{ use: 'home', state: referral.state, country: 'US' }],
  });
}

export function toEncounter(referral: Referral): Encounter {
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: toFhirId(referral.encounterId),
    meta: meta(referral, profiles.encounter),
    identifier: [{ system: identifierSystems.referral, value: referral.id }],
    status: encounterStatus[referral.status],
    class: homeHealthClass,
    type: [careTypeConcept(referral.careType)],
    priority: { text: referral.priority },
    subject: patientReference(referral),
    basedOn: [{ reference: `ServiceRequest/${toFhirId(referral.id)}` }],
    reasonCode: [reasonConcept(referral)],
  };
  if (referral.dischargeDate !== undefined) encounter.period = { start: referral.dischargeDate };
  return prune(encounter);
}

/** Drop undefined members: FHIR JSON has no nulls and no empty arrays. */
function prune<T extends object>(resource: T): T {
  for (const key of Object.keys(resource) as (keyof T)[]) if (resource[key] === undefined) delete resource[key];
  return resource;
}
