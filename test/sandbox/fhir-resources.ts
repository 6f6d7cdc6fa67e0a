import test from 'ava';
import type { Referral } from '../../sandbox/domain.js';
import { toEncounter, toPatient, toServiceRequest } from '../../sandbox/fhir/resources.js';
import { fhirErrors } from '../helpers/fhir.js';

/** A stored referral as the referral service writes it (every optional field set). */
const full: Referral = {
  id: 'ref_0123456789abcdef01234567',
  status: 'matched',
  primaryDiagnosis: { input: 'CHF', code: 'I50.9', display: 'Heart failure, unspecified', category: 'cardiac' },
  careType: 'Wound Care',
  zip: '78701',
  city: 'Austin',
  state: 'TX',
  priority: 'stat',
  dischargeDate: '2026-03-02',
  facility: 'General Hospital',
  externalId: 'EXT-1',
  notes: 'Dressing change daily.',
  patient: { id: 'pat_0011223344556677', display: 'Sandbox Patient' },
  encounterId: 'enc_8899aabbccddeeff',
  matches: [{ clinicianId: 'clin_1', displayName: 'Clinician 0001, RN', discipline: 'RN', specialties: ['wound'], distanceMiles: 2.5, score: 0.9, reasons: ['wound specialist'] }],
  keyId: 'key_0000',
  source: 'native',
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:00.000Z',
};
const bare: Referral = { ...full, status: 'pending', primaryDiagnosis: { input: 'Z99', display: 'Z99' }, city: undefined, state: undefined, dischargeDate: undefined, facility: undefined, externalId: undefined, notes: undefined, patient: { id: 'pt-1' }, matches: [] };
const cancelled: Referral = { ...full, status: 'cancelled' };

for (const [name, referral] of Object.entries({ full, bare, cancelled })) {
  test(`the ${name} referral's ServiceRequest, Patient and Encounter are valid R4`, (t) => {
    for (const resource of [toServiceRequest(referral), toPatient(referral), toEncounter(referral)]) t.deepEqual(fhirErrors(resource), [], resource.resourceType);
  });
}

test('ids are FHIR ids: the native underscore shows as a hyphen', (t) => {
  t.is(toServiceRequest(full).id, 'ref-0123456789abcdef01234567');
  t.is(toEncounter(full).id, 'enc-8899aabbccddeeff');
  t.is(toPatient(full).id, 'pat-0011223344556677');
});

test('referral status maps to request-status and encounter-status', (t) => {
  t.deepEqual([full, bare, cancelled].map((referral) => toServiceRequest(referral).status), ['active', 'active', 'revoked']);
  t.deepEqual([full, bare, cancelled].map((referral) => toEncounter(referral).status), ['planned', 'planned', 'cancelled']);
});

test('the patient is de-identified: no name, birth date or postal code', (t) => {
  const patient = toPatient(full);
  t.deepEqual(patient.name, [{ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'masked' }] }]);
  t.is(patient.birthDate, undefined);
  t.deepEqual(patient.address, [{ use: 'home', state: 'TX', country: 'US' }]);
});

test('matched clinicians appear as performers by display only', (t) => {
  t.deepEqual(toServiceRequest(full).performer, [{ display: 'Clinician 0001, RN' }]);
  t.is(toServiceRequest(bare).performer, undefined);
});

test('a care type with a SNOMED CT regime carries that coding first', (t) => {
  t.deepEqual(toServiceRequest(full).code?.coding?.[0], { system: 'http://snomed.info/sct', code: '225358003', display: 'Wound care' });
  t.is(toEncounter(full).type?.[0]?.text, 'Wound Care');
});

test('what a client posted is shown back verbatim', (t) => {
  const posted = { intent: 'original-order', code: { text: 'Home infusion' }, reasonCode: [{ text: 'as posted' }], occurrencePeriod: { start: '2026-03-02' } };
  const request = toServiceRequest({ ...full, source: 'fhir', fhir: posted });
  t.is(request.intent, 'original-order');
  t.deepEqual(request.code, posted.code);
  t.deepEqual(request.reasonCode, posted.reasonCode);
  t.deepEqual(request.occurrencePeriod, posted.occurrencePeriod);
  t.is(request.occurrenceDateTime, undefined);
});
