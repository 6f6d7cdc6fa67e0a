/**
 * Every official R4 ServiceRequest example (hl7.fhir.r4.examples, in the
 * shared corpus) and the public page's example body, posted to a real
 * connector: none of them is a home-health referral as written, so each is
 * refused 422 before anything is stored, with the exact issues and FHIRPaths
 * a sender needs to fix it. The same examples made into referrals are accepted.
 */
import test, { type ExecutionContext } from 'ava';
import { startFhirConnector, corpusResource, seedExample, type FhirConnector } from './_fhir.js';
import { tempDir } from '../helpers/temp.js';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const STATUS = ['business-rule', 'ServiceRequest.status'];
const INTENT = ['business-rule', 'ServiceRequest.intent'];
const NOT_DO = ['business-rule', 'ServiceRequest.doNotPerform'];
const REASON = ['required', 'ServiceRequest.reasonCode'];
const REASON_REF = ['required', 'ServiceRequest.reasonReference[0]'];
const ZIP = ['required', 'ServiceRequest.subject'];

/** What each example lacks to be a referral: [issue type, FHIRPath], in the order reported. */
const expected: Record<string, string[][]> = {
  'ServiceRequest-ambulation.json': [STATUS, REASON_REF, ZIP],
  'ServiceRequest-appendectomy-narrative.json': [STATUS, REASON, ZIP],
  'ServiceRequest-benchpress.json': [INTENT, REASON, ZIP],
  'ServiceRequest-colon-biopsy.json': [STATUS, REASON, ZIP],
  'ServiceRequest-colonoscopy.json': [STATUS, REASON, ZIP],
  'ServiceRequest-di.json': [REASON, ZIP],
  'ServiceRequest-do-not-turn.json': [NOT_DO, REASON_REF, ZIP],
  'ServiceRequest-education.json': [STATUS, REASON, ZIP],
  'ServiceRequest-example-implant.json': [STATUS, REASON, ZIP],
  'ServiceRequest-example-pgx.json': [REASON, ZIP],
  'ServiceRequest-example.json': [STATUS, REASON, ZIP],
  'ServiceRequest-ft4.json': [REASON, ZIP],
  'ServiceRequest-lipid.json': [REASON, ZIP],
  'ServiceRequest-myringotomy.json': [REASON, ZIP],
  'ServiceRequest-ob.json': [STATUS, REASON, ZIP],
  'ServiceRequest-og-example1.json': [REASON, ZIP],
  'ServiceRequest-physical-therapy.json': [STATUS, REASON, ZIP],
  'ServiceRequest-physiotherapy.json': [STATUS, ZIP],
  'ServiceRequest-subrequest.json': [REASON, ZIP],
  'ServiceRequest-vent.json': [STATUS, REASON, ZIP],
};

/** A connector with the shipped passthrough mapping plus a default ZIP, as a site without Patient addresses would set it. */
async function withDefaultZip(t: ExecutionContext): Promise<FhirConnector> {
  const dir = tempDir(t, 'caraloom-fhir-mappings-');
  const text = readFileSync(path.resolve('mappings/fhir/servicerequest-fhir.yaml'), 'utf8').replace('  transform: zip5\n', "  transform: zip5\n  default: '78701'\n");
  writeFileSync(path.join(dir, 'fhir.yaml'), text);
  return startFhirConnector(t, { config: { fhir: { mappings: dir } } });
}

for (const [file, issues] of Object.entries(expected)) {
  test(`official example ${file.replace('.json', '')} is refused with its exact issues`, async (t) => {
    const answer = await (await startFhirConnector(t)).post('/ServiceRequest', corpusResource(file));
    t.is(answer.status, 422);
    t.is(answer.body.resourceType, 'OperationOutcome');
    t.deepEqual(answer.body.issue.map((entry: any) => [entry.code, ...entry.expression]), issues);
    t.true(answer.body.issue.every((entry: any) => entry.severity === 'error' && entry.diagnostics.length > 10));
  });
}

test('nothing refused is stored', async (t) => {
  const shipped = await startFhirConnector(t);
  t.is((await shipped.post('/ServiceRequest', corpusResource('ServiceRequest-ft4.json'))).status, 422);
  t.is((await shipped.connector.journal!.list({ queue: 'connector.outbox' })).length, 0);
});

test('the public page example is refused without a zip and names where one can come from', async (t) => {
  const answer = await (await startFhirConnector(t)).post('/ServiceRequest', seedExample());
  t.is(answer.status, 422);
  t.deepEqual(answer.body.issue.map((entry: any) => [entry.code, ...entry.expression]), [ZIP]);
  t.regex(answer.body.issue[0].diagnostics, /address\.postalCode.*default ZIP in the mapping/);
});

test('the public page example is accepted when the mapping gives a default zip', async (t) => {
  const connector = await withDefaultZip(t);
  const answer = await connector.post('/ServiceRequest', seedExample());
  t.is(answer.status, 202);
  const [item] = await connector.connector.journal!.list<any>({ queue: 'connector.outbox' });
  const sent = item!.payload.request.body;
  t.deepEqual(sent.contained, [{ resourceType: 'Location', id: 'home', mode: 'kind', address: { use: 'home', postalCode: '78701' } }], 'the default ZIP travels as the place of service');
  t.deepEqual(sent.locationReference, [{ reference: '#home' }]);
});

test('an official example made into a referral is accepted', async (t) => {
  const request = corpusResource('ServiceRequest-physiotherapy.json');
  request.status = 'active';
  const answer = await (await withDefaultZip(t)).post('/ServiceRequest', request);
  t.is(answer.status, 202);
  t.regex(answer.headers.get('content-location')!, /\/fhir\/_status\/\d+$/);
});
