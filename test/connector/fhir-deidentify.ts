/**
 * Sandbox mode: a `clk_sandbox_` key never receives a patient's direct
 * identifiers from the FHIR door — neither through the passthrough
 * ServiceRequest (cut when stored) nor the native body (cut at delivery,
 * as for HL7 v2) — while what a referral needs still arrives.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { deidentifyServiceRequest } from '../../connector/fhir/deidentify.js';
import { loadFhirMappings } from '../../connector/fhir/mapping-load.js';
import { prepareReferral } from '../../connector/fhir/prepare.js';
import { eventually, startApiStandIn } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';
import { fhirSample, startFhirConnector } from './_fhir.js';
import { ephemeralPseudonymKey } from '../../connector/delivery/pseudonym-key.js';

const mappings = loadFhirMappings('mappings/fhir');
const PHI = ['Rivera', 'Ana', 'MRN10048213', '512-555-0147', '1948-03-09', '1100 Congress', 'MCR-1EG4', 'ORD-20261120-0042'];

function sentToSandbox(): any {
  return prepareReferral(fhirSample('bundle-transaction.json'), { kind: 'Bundle', mappings, deidentify: true }).request.body;
}

test('the passthrough for a sandbox key carries no name, mrn, phone, birth date, street or member id', (t) => {
  const text = JSON.stringify(sentToSandbox());
  for (const value of PHI) t.false(text.includes(value), value);
});

test('the passthrough for a sandbox key keeps what the referral needs', (t) => {
  const sent = sentToSandbox();
  t.like(sent, { status: 'active', intent: 'order', priority: 'urgent', subject: { reference: '#patient' }, occurrenceDateTime: '2026-11-20' });
  t.deepEqual(sent.contained[0], { resourceType: 'Patient', id: 'patient', gender: 'female', address: [{ use: 'home', city: 'Austin', state: 'TX', postalCode: '78701-2401' }] });
  t.is(sent.reasonCode[0].coding[0].code, 'I50.9');
});

test('encounters and coverages do not go to a sandbox', (t) => {
  const sent = sentToSandbox();
  t.deepEqual(sent.contained.map((resource: any) => resource.resourceType), ['Patient', 'Condition']);
  t.is(sent.encounter, undefined);
  t.is(sent.insurance, undefined);
});

test('order numbers become stable pseudonyms', (t) => {
  t.deepEqual(sentToSandbox().identifier, sentToSandbox().identifier);
  t.regex(sentToSandbox().identifier[0].value, /^p[0-9a-f]{16}$/);
});

test('a subject given only by display keeps a display that names nobody', (t) => {
  const sr = deidentifyServiceRequest({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { display: 'Jane Doe, MRN-12345' } }, 'fhir', ephemeralPseudonymKey);
  t.deepEqual(sr.subject, { display: 'patient (de-identified)' });
});

test('a literal patient reference becomes a pseudonymous one', (t) => {
  const sr = deidentifyServiceRequest({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/MRN10048213', display: 'Ana Rivera' } }, 'fhir', ephemeralPseudonymKey);
  t.regex(sr.subject.reference!, /^Patient\/p[0-9a-f]{16}$/);
  t.is(sr.subject.display, undefined);
});

test('a production key receives the request as mapped', (t) => {
  const sent = prepareReferral(fhirSample('bundle-transaction.json'), { kind: 'Bundle', mappings, deidentify: false }).request.body as any;
  t.is(sent.contained[0].name[0].family, 'Rivera');
});

test('a connector with a sandbox key stores and sends the cut passthrough', async (t) => {
  const api = await startApiStandIn(t);
  api.respond = () => [201, { resourceType: 'ServiceRequest', id: 'ref-1', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' } }];
  const connector = await startFhirConnector(t, { apiUrl: api.url, apiKey: 'clk_sandbox_0123456789abcdef' });
  t.is((await connector.post('', fhirSample('bundle-transaction.json'))).status, 202);
  await eventually(() => api.requests.length === 1);
  const text = JSON.stringify(api.requests[0]!.body);
  for (const value of PHI) t.false(text.includes(value), value);
  t.regex(String(api.requests[0]!.headers['idempotency-key']), /^fhir-[0-9a-f]{40}$/);
});

test('a native target with a sandbox key drops names and pseudonymises ids at delivery', async (t) => {
  const api = await startApiStandIn(t);
  // The shipped native mapping ranks below the passthrough: a folder holding only it is how a site switches.
  const dir = tempDir(t, 'caraloom-fhir-native-');
  copyFileSync('mappings/fhir/servicerequest-native.yaml', path.join(dir, 'native.yaml'));
  const connector = await startFhirConnector(t, { apiUrl: api.url, apiKey: 'clk_sandbox_0123456789abcdef', config: { fhir: { mappings: dir } } });
  t.is((await connector.post('', fhirSample('bundle-transaction.json'))).status, 202);
  await eventually(() => api.requests.length === 1);
  const sent = api.requests[0]!;
  t.is(sent.path, '/v1/discharge-referrals');
  t.like(sent.body, { zip: '78701', primary_diagnosis: 'I50.9', care_type: 'Home Health', facility: 'Riverbend Medical Center' });
  t.regex(sent.body.patient.id, /^p[0-9a-f]{16}$/);
  t.is(sent.body.patient.display, undefined);
  for (const value of PHI) t.false(JSON.stringify(sent.body).includes(value), value);
});
