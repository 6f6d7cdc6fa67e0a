/**
 * `prepareReferral` (pure): what is refused before anything is stored, with
 * the status (400 not valid R4, 422 not a referral) and the FHIRPath of
 * every offending element; and what a valid referral turns into.
 */
import test from 'ava';
import { FhirOutcomeError } from '../../core/fhir/outcome.js';
import { loadFhirMappings } from '../../connector/fhir/mapping-load.js';
import { parseIfNoneExist, prepareReferral, type PrepareOptions } from '../../connector/fhir/prepare.js';
import { fhirSample, seedExample } from './_fhir.js';

const mappings = loadFhirMappings('mappings/fhir');
const native = mappings.filter((mapping) => mapping.target === 'native');

function refusal(t: any, body: unknown, options: Partial<PrepareOptions> = {}): { status: number; issues: [string, string | undefined][] } {
  const error = t.throws(() => prepareReferral(body, { kind: 'ServiceRequest', mappings, ...options }), { instanceOf: FhirOutcomeError }) as FhirOutcomeError;
  return { status: error.status, issues: error.outcome.issue.map((entry) => [entry.code, entry.expression?.[0]]) };
}

function referral(): any {
  return fhirSample('servicerequest-contained.json');
}

test('a lone service request with a contained patient is a referral', (t) => {
  const prepared = prepareReferral(referral(), { kind: 'ServiceRequest', mappings });
  t.is(prepared.request.target, 'fhir');
  t.is(prepared.request.path, '/v1/fhir/ServiceRequest');
  t.is(prepared.key, 'fhir:urn:oid:2.16.840.1.113883.3.7777.3|ORD-20261122-0100');
  t.regex(prepared.idempotencyKey, /^fhir-[0-9a-f]{40}$/);
  t.regex(prepared.orderKey!, /^p-[0-9a-f]{32}$/);
  t.like(prepared.meta, { source: 'fhir', type: 'ServiceRequest', mapping: 'fhir-servicerequest', target: 'fhir' });
});

test('a body that is not json object is refused 400', (t) => {
  t.is(refusal(t, ['x']).status, 400);
});

test('another resource type on the service request endpoint is refused 400 at resourceType', (t) => {
  t.deepEqual(refusal(t, { resourceType: 'Patient' }), { status: 400, issues: [['invalid', 'resourceType']] });
});

test('a code outside a required value set is refused 400 at its element', (t) => {
  const body = { ...referral(), status: 'sent' };
  t.deepEqual(refusal(t, body), { status: 400, issues: [['code-invalid', 'ServiceRequest.status']] });
});

test('an element r4 does not define is refused 400', (t) => {
  t.deepEqual(refusal(t, { ...referral(), zip: '78701' }), { status: 400, issues: [['structure', 'ServiceRequest.zip']] });
});

test('a missing intent is refused 400 as required', (t) => {
  const { intent: _intent, ...body } = referral();
  t.deepEqual(refusal(t, body), { status: 400, issues: [['required', 'ServiceRequest.intent']] });
});

test('a proposal is not a referral', (t) => {
  t.deepEqual(refusal(t, { ...referral(), intent: 'proposal' }), { status: 422, issues: [['business-rule', 'ServiceRequest.intent']] });
});

test('a malformed icd-10-cm code is refused at the coding', (t) => {
  const body = referral();
  body.reasonCode[0].coding[0].code = '50.9';
  t.deepEqual(refusal(t, body), { status: 422, issues: [['code-invalid', 'ServiceRequest.reasonCode[0].coding[0].code']] });
});

test('a subject that is a group is refused', (t) => {
  t.deepEqual(refusal(t, { ...referral(), subject: { reference: 'Group/ward-7' } }).issues[0], ['business-rule', 'ServiceRequest.subject.reference']);
});

test('a subject naming a missing contained resource is refused', (t) => {
  t.deepEqual(refusal(t, { ...referral(), subject: { reference: '#nobody' } }).issues[0], ['not-found', 'ServiceRequest.subject.reference']);
});

test('a patient with an address that is no zip is refused at the postal code', (t) => {
  const body = referral();
  body.contained[0].address[0].postalCode = 'SW1A 1AA';
  t.deepEqual(refusal(t, body), { status: 422, issues: [['value', 'ServiceRequest.contained[0].address.where(use = \'home\').postalCode']] });
});

test('a transaction bundle resolves urn uuid references to bundle entries', (t) => {
  const prepared = prepareReferral(fhirSample('bundle-transaction.json'), { kind: 'Bundle', mappings });
  const sent = prepared.request.body as any;
  t.is(sent.subject.reference, '#patient');
  t.is(sent.encounter.reference, '#encounter');
  t.deepEqual(sent.reasonReference, [{ reference: '#condition' }]);
  t.deepEqual(sent.contained.map((resource: any) => resource.resourceType), ['Patient', 'Encounter', 'Condition', 'Coverage']);
  t.is(sent.contained[1].subject.reference, '#patient', 'references inside contained resources are rewritten too');
  t.is(sent.reasonCode[0].coding[0].code, 'I50.9', 'the Condition\'s code is copied to reasonCode for the API');
  t.like(prepared.meta, { type: 'Bundle/transaction' });
});

test('a batch bundle resolves a relative reference against the entry fullurl', (t) => {
  const prepared = prepareReferral(fhirSample('bundle-batch-relative.json'), { kind: 'Bundle', mappings: native });
  t.like(prepared.request.body, { zip: '60611', primary_diagnosis: 'S72001A', care_type: 'Physical Therapy', patient: { id: 'MRN20077', display: 'James Okafor' } });
  t.deepEqual(prepared.identifiers, [
    { path: 'external_id', mode: 'pseudonym' },
    { path: 'patient.id', mode: 'pseudonym' },
    { path: 'patient.display', mode: 'drop' },
  ]);
});

test('a searchset bundle is not accepted', (t) => {
  t.deepEqual(refusal(t, { resourceType: 'Bundle', type: 'collection', entry: [] }, { kind: 'Bundle' }), { status: 422, issues: [['not-supported', 'Bundle.type']] });
});

test('a bundle without a service request is refused at its entries', (t) => {
  const bundle = fhirSample('bundle-transaction.json');
  bundle.entry = bundle.entry.slice(0, 1);
  t.deepEqual(refusal(t, bundle, { kind: 'Bundle' }), { status: 422, issues: [['required', 'Bundle.entry']] });
});

test('a bundle with an unrelated resource type names that entry', (t) => {
  const bundle = fhirSample('bundle-transaction.json');
  bundle.entry.push({ fullUrl: 'urn:uuid:0d7e4b52-1d0a-4f4e-8d2a-6b9c1f0e2a11', resource: { resourceType: 'Medication', status: 'active' }, request: { method: 'POST', url: 'Medication' } });
  t.deepEqual(refusal(t, bundle, { kind: 'Bundle' }).issues, [['not-supported', 'Bundle.entry[5].resource']]);
});

test('a bundle entry that deletes is refused at its method', (t) => {
  const bundle = fhirSample('bundle-transaction.json');
  bundle.entry[3].request = { method: 'DELETE', url: 'Coverage/1' };
  t.deepEqual(refusal(t, bundle, { kind: 'Bundle' }).issues, [['not-supported', 'Bundle.entry[3].request.method']]);
});

test('a subject urn missing from the bundle is refused', (t) => {
  const bundle = fhirSample('bundle-transaction.json');
  bundle.entry[4].resource.subject.reference = 'urn:uuid:00000000-0000-4000-8000-000000000000';
  t.deepEqual(refusal(t, bundle, { kind: 'Bundle' }).issues[0], ['not-found', 'Bundle.entry[4].resource.subject.reference']);
});

test('a reason given only by a condition without icd-10-cm names the condition code', (t) => {
  const bundle = fhirSample('bundle-transaction.json');
  bundle.entry[2].resource.code = { coding: [{ system: 'http://snomed.info/sct', code: '84114007', display: 'Heart failure' }] };
  t.deepEqual(refusal(t, bundle, { kind: 'Bundle' }), { status: 422, issues: [['required', 'Bundle.entry[2].resource.code']] });
});

test('a patient without an address in the bundle names the patient address', (t) => {
  const bundle = fhirSample('bundle-transaction.json');
  delete bundle.entry[0].resource.address;
  t.deepEqual(refusal(t, bundle, { kind: 'Bundle' }), { status: 422, issues: [['required', 'Bundle.entry[0].resource.address']] });
});

test('every problem is listed at once', (t) => {
  const body = { ...seedExample(), status: 'draft', intent: 'plan', reasonCode: [{ text: 'heart failure' }] };
  t.deepEqual(refusal(t, body).issues.map(([, expression]) => expression), ['ServiceRequest.status', 'ServiceRequest.intent', 'ServiceRequest.reasonCode', 'ServiceRequest.subject']);
});

test('the bundle identifier is the key when the service request has none', (t) => {
  const bundle = fhirSample('bundle-transaction.json');
  delete bundle.entry[4].resource.identifier;
  t.is(prepareReferral(bundle, { kind: 'Bundle', mappings }).key, 'fhir:urn:oid:2.16.840.1.113883.3.7777.1|BUNDLE-20261120-0001');
});

test('with no identifier at all the same bytes give the same key', (t) => {
  const body = referral();
  delete body.identifier;
  const first = prepareReferral(body, { kind: 'ServiceRequest', mappings }).key;
  t.regex(first, /^fhir:sha256:[0-9a-f]{64}$/);
  t.is(prepareReferral(structuredClone(body), { kind: 'ServiceRequest', mappings }).key, first);
});

test('if-none-exist names the key', (t) => {
  const prepared = prepareReferral(referral(), { kind: 'ServiceRequest', mappings, ifNoneExist: 'identifier=urn:oid:1.2.3|A-1' });
  t.is(prepared.key, 'fhir:urn:oid:1.2.3|A-1');
  t.true(prepared.conditional);
});

test('if-none-exist with another search parameter is refused 400', (t) => {
  const error = t.throws(() => parseIfNoneExist('patient=Patient/1&code=x'), { instanceOf: FhirOutcomeError });
  t.is(error.status, 400);
});

test('a bundle entry\'s if-none-exist makes the service request a conditional create', (t) => {
  const bundle = fhirSample('bundle-transaction.json');
  bundle.entry[4].request.ifNoneExist = 'identifier=urn:oid:1.2.3|ORD-9';
  const prepared = prepareReferral(bundle, { kind: 'Bundle', mappings });
  t.is(prepared.key, 'fhir:urn:oid:1.2.3|ORD-9');
  t.true(prepared.conditional);
});
