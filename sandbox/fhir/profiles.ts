import type { Coding } from 'fhir/r4.js';

/** Canonical URLs and codes the FHIR view uses, in one place (US Core 6.1 profile URLs are version-less). */
export const profiles = {
  patient: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient',
  encounter: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter',
  serviceRequest: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-servicerequest',
} as const;

/** HL7 v3 ActCode HH: "home health" — the encounter class of a home visit. */
export const homeHealthClass: Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH', display: 'home health' };

/** Marks every resource as test data (v3 ActReason HTEST): the sandbox never holds real patients. */
export const testDataTag: Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST', display: 'test health data' };

/** SNOMED CT 3457005 "Patient referral": the category of every discharge referral. */
export const referralCategory: Coding = { system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' };

export const dataAbsentReason = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

/** Identifier systems for ids the sandbox owns or keeps for the client. */
export const identifierSystems = {
  referral: 'https://caraloom.com/fhir/sid/referral-id',
  patient: 'https://caraloom.com/fhir/sid/sandbox-patient',
  external: 'https://caraloom.com/fhir/sid/external-id',
} as const;

export const careTypeSystem = 'https://caraloom.com/fhir/CodeSystem/care-type';

/**
 * SNOMED CT regimes for the care types that have an unambiguous one; the
 * others are carried by text and the CaraLoom care-type code only.
 */
export const careTypeSnomed: Readonly<Record<string, Coding>> = {
  Hospice: { system: 'http://snomed.info/sct', code: '385763009', display: 'Hospice care' },
  'Physical Therapy': { system: 'http://snomed.info/sct', code: '91251008', display: 'Physical therapy procedure' },
  'Occupational Therapy': { system: 'http://snomed.info/sct', code: '84478008', display: 'Occupational therapy' },
  'Speech Therapy': { system: 'http://snomed.info/sct', code: '5154007', display: 'Speech therapy' },
  'Wound Care': { system: 'http://snomed.info/sct', code: '225358003', display: 'Wound care' },
  'Palliative Care': { system: 'http://snomed.info/sct', code: '103735009', display: 'Palliative care' },
};

/** `Skilled Nursing` → `skilled-nursing`: the code of a care type in `careTypeSystem`. */
export function careTypeCode(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
