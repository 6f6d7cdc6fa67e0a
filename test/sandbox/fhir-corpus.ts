import test from 'ava';
import { corpusFile, corpusFiles } from '../helpers/corpus.js';
import { checkedSandbox } from '../helpers/fhir.js';

/**
 * The 20 official R4 ServiceRequest examples (hl7.fhir.r4.examples 4.0.1).
 * None is a discharge referral as written: each is refused with the reasons
 * listed here (by FHIRPath), worked out by reading the examples — a referral
 * must be an active order for a Patient, with a diagnosis. (Three give the
 * subject by display only, which is a valid Reference and is accepted.)
 */
const refusedFor: Record<string, string[]> = {
  ambulation: ['ServiceRequest.status', 'ServiceRequest.reasonCode'],
  'appendectomy-narrative': ['ServiceRequest.status', 'ServiceRequest.reasonCode'],
  benchpress: ['ServiceRequest.intent', 'ServiceRequest.reasonCode'],
  'colon-biopsy': ['ServiceRequest.status', 'ServiceRequest.reasonCode'],
  colonoscopy: ['ServiceRequest.status', 'ServiceRequest.reasonCode'],
  di: ['ServiceRequest.reasonCode'],
  'do-not-turn': ['ServiceRequest.doNotPerform', 'ServiceRequest.reasonCode'],
  education: ['ServiceRequest.status', 'ServiceRequest.reasonCode'],
  'example-implant': ['ServiceRequest.status', 'ServiceRequest.reasonCode'],
  'example-pgx': ['ServiceRequest.reasonCode'],
  example: ['ServiceRequest.status', 'ServiceRequest.reasonCode'],
  ft4: ['ServiceRequest.reasonCode'],
  lipid: ['ServiceRequest.reasonCode'],
  myringotomy: ['ServiceRequest.reasonCode'],
  ob: ['ServiceRequest.status', 'ServiceRequest.reasonCode'],
  'og-example1': ['ServiceRequest.reasonCode'],
  'physical-therapy': ['ServiceRequest.status', 'ServiceRequest.reasonCode'],
  physiotherapy: ['ServiceRequest.status', 'ServiceRequest.reasonCode'],
  subrequest: ['ServiceRequest.reasonCode'],
  vent: ['ServiceRequest.status', 'ServiceRequest.reasonCode'],
};

const examples = corpusFiles('fhir').filter((file) => /ServiceRequest-.+\.json$/.test(file.name));
const nameOf = (file: string) => /ServiceRequest-(.+)\.json$/.exec(file)![1]!;

test('the corpus holds the 20 official ServiceRequest examples', (t) => {
  t.deepEqual(examples.map((file) => nameOf(file.name)).sort(), Object.keys(refusedFor).sort());
});

test('each official example is refused with an operation outcome naming why', async (t) => {
  const sandbox = await checkedSandbox(t);
  for (const file of examples) {
    const { status, body } = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', body: file.bytes.toString('utf8'), headers: { 'content-type': 'application/fhir+json' } });
    const name = nameOf(file.name);
    t.is(status, 422, name);
    const errors = body.issue.filter((issue: any) => issue.severity === 'error');
    t.deepEqual(errors.flatMap((issue: any) => issue.expression).sort(), [...refusedFor[name]!].sort(), name);
    t.true(errors.every((issue: any) => typeof issue.diagnostics === 'string' && issue.diagnostics.length > 0), name);
  }
});

test('each active official order given an ICD-10-CM reason is accepted', async (t) => {
  const sandbox = await checkedSandbox(t);
  const orders = Object.entries(refusedFor).filter(([, why]) => why.length === 1 && why[0] === 'ServiceRequest.reasonCode').map(([name]) => name);
  t.is(orders.length, 7);
  for (const name of orders) {
    // Derived here, not edited on disk: the example plus the one thing a referral needs.
    const resource = JSON.parse(corpusFile(`fhir/ServiceRequest-${name}.json`).toString('utf8'));
    resource.reasonCode = [...(resource.reasonCode ?? []), { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'J44.9' }] }];
    const { status, body } = await sandbox.fhir('/v1/fhir/ServiceRequest', { method: 'POST', json: resource });
    t.is(status, 201, name);
    t.deepEqual(body.code, resource.code, name);
    const native = await sandbox.native(`/v1/discharge-referrals/${body.identifier[0].value}`);
    t.is(native.body.data.primary_diagnosis.code, 'J44.9', name);
    t.is(native.body.data.source, 'fhir', name);
  }
});
