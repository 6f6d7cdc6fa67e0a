import test from 'ava';
import fc from 'fast-check';
import { validateFhirResource } from '../../core/fhir/validate.js';
import type { ServiceRequest } from 'fhir/r4.js';
import { defaultCareType, defaultReferralZip, serviceRequestToInput } from '../../sandbox/fhir/intake.js';
import { fhirSample } from '../helpers/fhir.js';

const seed = (): ServiceRequest => fhirSample('seed-page.json');
const expressions = (request: ServiceRequest) => serviceRequestToInput(request).issues.map((issue) => issue.expression);

test('the public page example becomes a referral input with documented defaults', (t) => {
  const { input, issues } = serviceRequestToInput(seed());
  t.deepEqual(issues, []);
  t.deepEqual(input, {
    primaryDiagnosis: 'I50.9',
    careType: defaultCareType,
    zip: defaultReferralZip,
    priority: 'urgent',
    dischargeDate: undefined,
    facility: undefined,
    externalId: undefined,
    notes: 'Needs IV diuretic monitoring at home.',
    patient: { id: undefined, display: 'Jane Doe, MRN-12345' },
  });
});

test('a contained patient home address gives the zip', (t) => {
  const request = { ...seed(), contained: [{ resourceType: 'Patient', id: 'p', address: [{ use: 'work', postalCode: '10001' }, { use: 'home', postalCode: '98101' }] }], subject: { reference: '#p' } } as unknown as ServiceRequest;
  const result = serviceRequestToInput(request);
  t.is(result.input?.zip, '98101');
  t.is(result.sources.zip, 'ServiceRequest.contained[0].address[1].postalCode');
  t.is(result.input?.patient?.id, undefined);
});

const careTypes: [string, ServiceRequest['code'], string][] = [
  ['text', { text: 'hospice' }, 'Hospice'],
  ['a coding display', { coding: [{ display: 'Occupational Therapy' }] }, 'Occupational Therapy'],
  ['a SNOMED CT code', { coding: [{ system: 'http://snomed.info/sct', code: '5154007' }] }, 'Speech Therapy'],
  ['a CaraLoom care-type code', { coding: [{ system: 'https://caraloom.com/fhir/CodeSystem/care-type', code: 'skilled-nursing' }] }, 'Skilled Nursing'],
  ['something unrelated', { text: 'Appendectomy' }, defaultCareType],
];
for (const [what, code, expected] of careTypes) {
  test(`care type from ${what}`, (t) => {
    t.is(serviceRequestToInput({ ...seed(), code }).input?.careType, expected);
  });
}

test('a known diagnosis text stands in for an ICD-10-CM coding', (t) => {
  const result = serviceRequestToInput({ ...seed(), reasonCode: [{ text: 'COPD' }] });
  t.is(result.input?.primaryDiagnosis, 'COPD');
  t.is(result.sources.primaryDiagnosis, 'ServiceRequest.reasonCode[0].text');
});

test('the patient id comes from a relative or absolute Patient reference', (t) => {
  t.is(serviceRequestToInput({ ...seed(), subject: { reference: 'Patient/abc-123' } }).input?.patient?.id, 'abc-123');
  t.is(serviceRequestToInput({ ...seed(), subject: { reference: 'https://ehr.example.org/fhir/Patient/77662' } }).input?.patient?.id, '77662');
});

const refusals: [string, Partial<ServiceRequest>, string[]][] = [
  ['a completed order', { status: 'completed' }, ['ServiceRequest.status']],
  ['a proposal', { intent: 'proposal' }, ['ServiceRequest.intent']],
  ['a do-not-perform request', { doNotPerform: true }, ['ServiceRequest.doNotPerform']],
  ['a Group subject', { subject: { reference: 'Group/ward-3' } }, ['ServiceRequest.subject']],
  ['a dangling contained subject', { subject: { reference: '#nobody' } }, ['ServiceRequest.subject.reference']],
  ['no reason', { reasonCode: undefined }, ['ServiceRequest.reasonCode']],
  ['a reason by reference only', { reasonCode: undefined, reasonReference: [{ reference: 'Condition/c1' }] }, ['ServiceRequest.reasonCode']],
  ['an ICD-9 code as ICD-10-CM', { reasonCode: [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: '428.0' }] }] }, ['ServiceRequest.reasonCode[0].coding[0].code']],
];
for (const [what, change, expected] of refusals) {
  test(`${what} is refused naming ${expected.join(', ')}`, (t) => {
    const request = { ...seed(), ...change } as ServiceRequest;
    t.deepEqual(expressions(request), expected);
    t.is(serviceRequestToInput(request).input, undefined);
  });
}

test('every problem is listed at once', (t) => {
  t.deepEqual(expressions({ ...seed(), status: 'draft', intent: 'plan', reasonCode: undefined }), ['ServiceRequest.status', 'ServiceRequest.intent', 'ServiceRequest.reasonCode']);
});

test('only elements without references are kept from what was posted', (t) => {
  const kept = serviceRequestToInput({ ...fhirSample('contained-location.json') }).kept!;
  t.deepEqual(Object.keys(kept).sort(), ['category', 'code', 'identifier', 'intent', 'note', 'occurrenceDateTime', 'reasonCode']);
});

test('any posted body is answered with issues or an input, never a throw', (t) => {
  const keys = ['status', 'intent', 'subject', 'reasonCode', 'note', 'contained', 'code', 'locationReference', 'identifier', 'occurrenceDateTime', 'requester', 'priority', 'doNotPerform'];
  const property = fc.property(fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 })), (patch) => {
    const body = { ...seed(), ...patch };
    const validation = validateFhirResource(body, 'ServiceRequest');
    if (!validation.valid) return validation.issues.length > 0;
    const result = serviceRequestToInput(body as ServiceRequest);
    return (result.input === undefined) === result.issues.length > 0;
  });
  t.notThrows(() => fc.assert(property, { numRuns: 300, seed: 42 }));
});
