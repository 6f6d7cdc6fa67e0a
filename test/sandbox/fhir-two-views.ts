import test from 'ava';
import { startReceiver } from './_harness.js';
import { checkedSandbox, fhirSample } from '../helpers/fhir.js';

/** One store, two views: the native API and the FHIR facade show the same referrals. */

const nativeBody = { primary_diagnosis: 'COPD', care_type: 'Skilled Nursing', zip: '78701', priority: 'asap', notes: 'Oxygen at home.', patient: { id: 'pt-77', display: 'Sandbox Patient 77' } };

test('a natively created referral is readable as ServiceRequest, Patient and Encounter', async (t) => {
  const sandbox = await checkedSandbox(t);
  const created = await sandbox.native('/v1/discharge-referrals', { method: 'POST', json: nativeBody });
  t.is(created.status, 201);
  const referral = created.body.data;
  const id = referral.id.replace('_', '-');
  const request = await sandbox.fhir(`/v1/fhir/ServiceRequest/${id}`);
  t.is(request.status, 200);
  t.is(request.body.priority, 'asap');
  t.deepEqual(request.body.reasonCode[0].coding[0], { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'J44.9', display: referral.primary_diagnosis.display });
  t.is(request.body.code.text, 'Skilled Nursing');
  t.deepEqual(request.body.note, [{ text: 'Oxygen at home.' }]);
  t.deepEqual(request.body.subject, { reference: 'Patient/pt-77', display: 'Sandbox Patient 77' });
  t.deepEqual(request.body.identifier[0], { system: 'https://caraloom.com/fhir/sid/referral-id', value: referral.id });
  t.is((await sandbox.fhir('/v1/fhir/Patient/pt-77')).status, 200);
  const encounter = await sandbox.fhir(`/v1/fhir/Encounter/${referral.encounter_id.replace('_', '-')}`);
  t.is(encounter.body.class.code, 'HH');
  t.is(encounter.body.status, 'planned');
  // The native id form is accepted too.
  t.is((await sandbox.fhir(`/v1/fhir/ServiceRequest/${referral.id}`)).body.id, id);
});

test('a FHIR-created referral is visible natively', async (t) => {
  const sandbox = await checkedSandbox(t);
  const created = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: fhirSample('seed-page.json') });
  const nativeId = created.body.identifier[0].value;
  const read = await sandbox.native(`/v1/discharge-referrals/${nativeId}`);
  t.is(read.status, 200);
  t.is(read.body.data.source, 'fhir');
  t.is(read.body.data.priority, 'urgent');
  t.is(read.body.data.primary_diagnosis.code, 'I50.9');
  t.is(read.body.data.notes, 'Needs IV diuretic monitoring at home.');
  t.is(read.body.data.patient.id.replace('_', '-'), created.body.subject.reference.split('/')[1]);
  const listed = await sandbox.native('/v1/discharge-referrals');
  t.deepEqual(listed.body.data.map((referral: any) => referral.id), [nativeId]);
});

test('a FHIR create fires referral.created exactly as a native create does', async (t) => {
  const sandbox = await checkedSandbox(t);
  const receiver = await startReceiver(t);
  await sandbox.native('/v1/webhooks', { method: 'POST', json: { url: receiver.url, events: ['referral.created'] } });
  await receiver.waitFor(1); // the ping every registration sends
  const native = await sandbox.native('/v1/discharge-referrals', { method: 'POST', json: nativeBody });
  await receiver.waitFor(2);
  const fhir = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: fhirSample('seed-page.json') });
  const [, fromNative, fromFhir] = await receiver.waitFor(3);
  t.is(fromNative!.body.type, 'referral.created');
  t.is(fromFhir!.body.type, 'referral.created');
  t.is(fromNative!.body.data.id, native.body.data.id);
  t.is(fromFhir!.body.data.id, fhir.body.identifier[0].value);
  t.deepEqual(Object.keys(fromFhir!.body.data).sort(), Object.keys(fromNative!.body.data).sort());
  t.deepEqual(Object.keys(fromFhir!.headers).filter((name) => name.startsWith('x-caraloom')).sort(), Object.keys(fromNative!.headers).filter((name) => name.startsWith('x-caraloom')).sort());
  t.is(fromFhir!.body.data.source, 'fhir');
  t.is(fromNative!.body.data.source, 'native');
});
