import test from 'ava';
import { call } from './_harness.js';
import { checkedSandbox, fhirSample } from '../helpers/fhir.js';

test('the public page example creates a referral as written', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, headers, body } = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: fhirSample('seed-page.json') });
  t.is(status, 201);
  t.is(headers.get('location'), `${sandbox.url}/v1/fhir/ServiceRequest/${body.id}/_history/1`);
  t.is(body.status, 'active');
  t.is(body.priority, 'urgent');
  t.deepEqual(body.reasonCode, [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'I50.9', display: 'Heart failure' }] }]);
  t.deepEqual(body.note, [{ text: 'Needs IV diuretic monitoring at home.' }]);
  t.regex(body.subject.reference, /^Patient\/[A-Za-z0-9\-.]+$/);
  t.deepEqual(body.meta.profile, ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-servicerequest']);
});

test('care type, zip, date and facility come from the ServiceRequest when it names them', async (t) => {
  const sandbox = await checkedSandbox(t);
  const created = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: fhirSample('contained-location.json') });
  const native = await sandbox.native(`/v1/discharge-referrals/${created.body.identifier[0].value}`);
  t.is(native.body.data.care_type, 'Physical Therapy');
  t.is(native.body.data.zip, '98101');
  t.is(native.body.data.discharge_date, '2026-03-02');
  t.is(native.body.data.facility, 'General Hospital');
  t.is(native.body.data.external_id, 'ORD-20260301-7');
  t.is(native.body.data.primary_diagnosis.code, 'S72.009A');
  t.is(native.body.data.patient.id, 'sbx-1001');
  t.is(created.body.intent, 'original-order');
});

test('without an address the referral goes to the documented default zip and care type', async (t) => {
  const sandbox = await checkedSandbox(t);
  const created = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: fhirSample('seed-page.json') });
  const native = await sandbox.native(`/v1/discharge-referrals/${created.body.identifier[0].value}`);
  t.is(native.body.data.zip, '78701');
  t.is(native.body.data.care_type, 'Home Health');
});

test('an idempotent replay returns the same ServiceRequest with 200', async (t) => {
  const sandbox = await checkedSandbox(t);
  const init = { method: 'POST', json: fhirSample('seed-page.json'), headers: { 'idempotency-key': 'order-42' } };
  const first = await sandbox.fhir('/v1/fhir/ServiceRequest', init);
  const again = await sandbox.fhir('/v1/fhir/ServiceRequest', init);
  t.is(first.status, 201);
  t.is(again.status, 200);
  t.is(again.body.id, first.body.id);
});

test('reusing an idempotency key with another body is a 409 operation outcome', async (t) => {
  const sandbox = await checkedSandbox(t);
  const headers = { 'idempotency-key': 'order-43' };
  await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: fhirSample('seed-page.json'), headers });
  const other = { ...fhirSample('seed-page.json'), priority: 'routine' };
  const { status, body } = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: other, headers });
  t.is(status, 409);
  t.is(body.issue[0].code, 'conflict');
});

test('prefer return=minimal answers 201 with a location and no body', async (t) => {
  const sandbox = await checkedSandbox(t);
  // Straight through the harness: an empty body is the point, so there is no resource to check.
  const response = await call(sandbox.url, sandbox.key, '/v1/fhir/ServiceRequest', {
    method: 'POST',
    body: JSON.stringify(fhirSample('seed-page.json')),
    headers: { 'content-type': 'application/fhir+json', prefer: 'return=minimal' },
  });
  t.is(response.status, 201);
  t.is(response.body, '');
  t.regex(response.headers.get('location') ?? '', /\/v1\/fhir\/ServiceRequest\/ref-[0-9a-f]+\/_history\/1$/);
});

test('a byte-order mark before the json is tolerated', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status } = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', body: `\uFEFF${JSON.stringify(fhirSample('seed-page.json'))}`, headers: { 'content-type': 'application/fhir+json' } });
  t.is(status, 201);
});
