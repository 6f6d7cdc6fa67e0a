import test from 'ava';
import { checkedSandbox, fhirSample, type CheckedSandbox } from '../helpers/fhir.js';

/** Create `count` referrals through the FHIR door and return their ServiceRequests. */
async function createSome(sandbox: CheckedSandbox, count: number, body = fhirSample('seed-page.json')): Promise<any[]> {
  const created = [];
  for (let i = 0; i < count; i++) created.push((await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: body })).body);
  return created;
}

test('metadata is public and describes exactly what the server supports', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, body } = await sandbox.fhir('/v1/fhir/metadata', { key: null, headers: { accept: 'application/fhir+json' } });
  t.is(status, 200);
  t.is(body.resourceType, 'CapabilityStatement');
  t.is(body.fhirVersion, '4.0.1');
  t.is(body.kind, 'instance');
  const resources = Object.fromEntries(body.rest[0].resource.map((resource: any) => [resource.type, resource]));
  t.deepEqual(Object.keys(resources), ['Patient', 'Encounter', 'ServiceRequest']);
  t.deepEqual(resources.ServiceRequest.interaction.map((entry: any) => entry.code), ['read', 'vread', 'search-type', 'create']);
  t.deepEqual(resources.Encounter.searchParam.map((entry: any) => entry.name), ['_id', 'patient', 'subject', 'status']);
  t.deepEqual(resources.Patient.interaction.map((entry: any) => entry.code), ['read', 'vread']);
});

test('a created ServiceRequest reads back with its patient and encounter', async (t) => {
  const sandbox = await checkedSandbox(t);
  const [created] = await createSome(sandbox, 1);
  const read = await sandbox.fhir(`/v1/fhir/ServiceRequest/${created.id}`);
  t.is(read.status, 200);
  t.deepEqual(read.body, created);
  t.is(read.headers.get('etag'), 'W/"1"');
  const patient = await sandbox.fhir(`/v1/fhir/${created.subject.reference}`);
  t.deepEqual(patient.body.meta.profile, ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient']);
  t.is(patient.body.gender, 'unknown');
  t.is(patient.body.name[0].extension[0].valueCode, 'masked');
  const encounter = await sandbox.fhir(`/v1/fhir/${created.encounter.reference}`);
  t.deepEqual(encounter.body.class, { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH', display: 'home health' });
  t.deepEqual(encounter.body.meta.profile, ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter']);
  t.deepEqual(encounter.body.basedOn, [{ reference: `ServiceRequest/${created.id}` }]);
  t.is(encounter.body.subject.reference, created.subject.reference);
});

test('vread answers version 1 and 404 for any other version', async (t) => {
  const sandbox = await checkedSandbox(t);
  const [created] = await createSome(sandbox, 1);
  t.deepEqual((await sandbox.fhir(`/v1/fhir/ServiceRequest/${created.id}/_history/1`)).body, created);
  t.is((await sandbox.fhir(`/v1/fhir/ServiceRequest/${created.id}/_history/2`)).status, 404);
});

test('search pages through a searchset bundle by following next links', async (t) => {
  const sandbox = await checkedSandbox(t);
  const created = await createSome(sandbox, 3);
  const first = await sandbox.fhir('/v1/fhir/ServiceRequest?_count=2');
  t.is(first.body.type, 'searchset');
  t.is(first.body.total, 3);
  t.is(first.body.entry.length, 2);
  for (const entry of first.body.entry) t.is(entry.fullUrl, `${sandbox.url}/v1/fhir/ServiceRequest/${entry.resource.id}`);
  const next = first.body.link.find((link: any) => link.relation === 'next').url as string;
  t.true(next.startsWith(sandbox.url));
  const second = await sandbox.fhir(next.slice(sandbox.url.length));
  t.is(second.body.entry.length, 1);
  t.falsy(second.body.link.find((link: any) => link.relation === 'next'));
  const seen = [...first.body.entry, ...second.body.entry].map((entry: any) => entry.resource.id).sort();
  t.deepEqual(seen, created.map((resource) => resource.id).sort());
});

test('search filters by patient and by status', async (t) => {
  const sandbox = await checkedSandbox(t);
  await createSome(sandbox, 2);
  const [located] = await createSome(sandbox, 1, fhirSample('contained-location.json'));
  const byPatient = await sandbox.fhir('/v1/fhir/ServiceRequest?patient=Patient/sbx-1001');
  t.deepEqual(byPatient.body.entry.map((entry: any) => entry.resource.id), [located.id]);
  t.is((await sandbox.fhir('/v1/fhir/ServiceRequest?status=active')).body.total, 3);
  t.is((await sandbox.fhir('/v1/fhir/ServiceRequest?status=completed,revoked')).body.total, 0);
  const encounters = await sandbox.fhir('/v1/fhir/Encounter?patient=sbx-1001&status=planned');
  t.deepEqual(encounters.body.entry.map((entry: any) => entry.resource.id), [located.encounter.reference.split('/')[1]]);
});

test('search by identifier finds the order the client posted', async (t) => {
  const sandbox = await checkedSandbox(t);
  await createSome(sandbox, 1);
  const [located] = await createSome(sandbox, 1, fhirSample('contained-location.json'));
  const found = await sandbox.fhir('/v1/fhir/ServiceRequest?identifier=urn:oid:2.16.840.1.113883.19.5|ORD-20260301-7');
  t.deepEqual(found.body.entry.map((entry: any) => entry.resource.id), [located.id]);
});

test('unknown search parameters are reported in an outcome entry', async (t) => {
  const sandbox = await checkedSandbox(t);
  await createSome(sandbox, 1);
  const { status, body } = await sandbox.fhir('/v1/fhir/ServiceRequest?_sort=-authored&status=active');
  t.is(status, 200);
  t.is(body.total, 1);
  const outcome = body.entry.find((entry: any) => entry.search.mode === 'outcome').resource;
  t.is(outcome.issue[0].severity, 'warning');
  t.regex(outcome.issue[0].diagnostics, /_sort/);
  t.false(body.link[0].url.includes('_sort'));
});

test('unknown search parameters are refused under prefer handling=strict', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, body } = await sandbox.fhir('/v1/fhir/Encounter?colour=blue', { headers: { prefer: 'handling=strict' } });
  t.is(status, 400);
  t.is(body.resourceType, 'OperationOutcome');
  t.regex(body.issue[0].diagnostics, /colour/);
});

test('a malformed _count is a 400 operation outcome', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, body } = await sandbox.fhir('/v1/fhir/ServiceRequest?_count=ten');
  t.is(status, 400);
  t.is(body.issue[0].code, 'invalid');
});

test('application/json is served as well as application/fhir+json', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, body } = await sandbox.fhir('/v1/fhir/ServiceRequest', { headers: { accept: 'application/json' } });
  t.is(status, 200);
  t.is(body.total, 0);
});
