/**
 * FHIR mapping files: loading (every problem with its file and line),
 * FHIRPath sources with fallbacks, lookups, transforms, defaults, `when`
 * selection, and which fields a sandbox key never receives as they are.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ConfigError } from '../../core/errors.js';
import { FhirOutcomeError } from '../../core/fhir/outcome.js';
import { isDirectIdentifierPath } from '../../connector/fhir/mapping-compile.js';
import { loadFhirMappings, readFhirMapping } from '../../connector/fhir/mapping-load.js';
import { prepareReferral } from '../../connector/fhir/prepare.js';
import { tempDir } from '../helpers/temp.js';
import { fhirSample } from './_fhir.js';

function mapping(text: string) {
  const problems: string[] = [];
  const loaded = readFhirMapping(text, 'test.yaml', problems);
  return { loaded, problems };
}

const nativeBase = `name: native-test
target: native
fields:
  primary_diagnosis: "reasonCode.coding.where(system = 'http://hl7.org/fhir/sid/icd-10-cm').code"
  care_type:
    from: "code.coding.where(system = 'http://snomed.info/sct').code"
    lookup: snomed-care-type
`;

test('the shipped fhir mappings load', (t) => {
  const loaded = loadFhirMappings('mappings/fhir');
  t.deepEqual(loaded.map((entry) => [entry.name, entry.target]), [
    ['fhir-servicerequest', 'fhir'],
    ['fhir-servicerequest-native', 'native'],
  ]);
});

test('a fhirpath syntax error is reported with its line', (t) => {
  const { loaded, problems } = mapping(`${nativeBase}  zip:\n    from: "%patient.address.where(use = 'home'.postalCode"\n`);
  t.is(loaded, undefined);
  t.is(problems.length, 1);
  t.regex(problems[0]!, /^test\.yaml:9: fields\.zip\.from: not a FHIRPath expression/);
});

test('an unknown lookup table is reported with its line', (t) => {
  const { problems } = mapping(nativeBase.replace('snomed-care-type', 'no-such-table'));
  t.regex(problems[0]!, /^test\.yaml:7: .*no lookup table named no-such-table/);
});

test('a native mapping without care_type is refused', (t) => {
  const { problems } = mapping('name: x\ntarget: native\nfields:\n  primary_diagnosis: reasonCode.text\n');
  t.regex(problems.join('\n'), /native mappings need fields\.care_type/);
});

test('an unknown key is refused', (t) => {
  const { problems } = mapping(`${nativeBase}colour: blue\n`);
  t.regex(problems.join('\n'), /colour/);
});

test('every bad file in a folder is listed in one error', (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'a.yaml'), 'name: a\ntarget: sideways\n');
  writeFileSync(path.join(dir, 'b.yaml'), 'name: [\n');
  const error = t.throws(() => loadFhirMappings(dir), { instanceOf: ConfigError });
  t.regex(error.message, /a\.yaml:2/);
  t.regex(error.message, /b\.yaml:\d+/);
});

test('a lookup miss is refused 422 naming the coding', (t) => {
  const { loaded } = mapping(nativeBase);
  const body = fhirSample('servicerequest-contained.json');
  body.code.coding[0].code = '999999';
  const error = t.throws(() => prepareReferral(body, { kind: 'ServiceRequest', mappings: [loaded!] }), { instanceOf: FhirOutcomeError });
  t.is(error.status, 422);
  t.is(error.outcome.issue[0]!.code, 'code-invalid');
  t.deepEqual(error.outcome.issue[0]!.expression, ["ServiceRequest.code.coding.where(system = 'http://snomed.info/sct').code"]);
});

test('a shipped lookup turns a snomed code into a care type', (t) => {
  const { loaded } = mapping(nativeBase);
  const prepared = prepareReferral(fhirSample('servicerequest-contained.json'), { kind: 'ServiceRequest', mappings: [loaded!] });
  t.deepEqual(prepared.request.body, { zip: '02118', primary_diagnosis: 'C34.90', care_type: 'Hospice' });
});

test('a fhir date is cut to a date by the date transform', (t) => {
  const { loaded } = mapping(`${nativeBase}  discharge_date:\n    from: authoredOn\n    transform: date\n`);
  const body = { ...fhirSample('servicerequest-contained.json'), authoredOn: '2026-11-20T13:45:00-06:00' };
  t.is((prepareReferral(body, { kind: 'ServiceRequest', mappings: [loaded!] }).request.body as any).discharge_date, '2026-11-20');
});

test('a default zip applies when the patient has no address', (t) => {
  const { loaded } = mapping(`${nativeBase}zip:\n  from: "%patient.address.postalCode"\n  default: '78701'\n`);
  const body = fhirSample('servicerequest-contained.json');
  delete body.contained[0].address;
  t.is((prepareReferral(body, { kind: 'ServiceRequest', mappings: [loaded!] }).request.body as any).zip, '78701');
});

test('the highest priority mapping whose when holds is chosen', (t) => {
  const hospice = mapping(`${nativeBase.replace('native-test', 'hospice-only')}priority: 5\nwhen: "code.coding.where(code = '385763009').exists()"\n`).loaded!;
  const fallback = mapping(nativeBase.replace('native-test', 'fallback')).loaded!;
  const body = fhirSample('servicerequest-contained.json');
  t.is(prepareReferral(body, { kind: 'ServiceRequest', mappings: [fallback, hospice] }).mapping.name, 'hospice-only');
  body.code.coding[0].code = '91251008';
  t.is(prepareReferral(body, { kind: 'ServiceRequest', mappings: [fallback, hospice] }).mapping.name, 'fallback');
});

test('no mapping taking the request is refused 422', (t) => {
  const only = mapping(`${nativeBase}when: "false"\n`).loaded!;
  const error = t.throws(() => prepareReferral(fhirSample('servicerequest-contained.json'), { kind: 'ServiceRequest', mappings: [only] }), { instanceOf: FhirOutcomeError });
  t.is(error.code, 'NO_MAPPING');
});

test('fields set on a fhir target are written into the service request sent', (t) => {
  const { loaded } = mapping('name: f\ntarget: fhir\nfields:\n  code.text:\n    from: "code.coding.code"\n    lookup: snomed-care-type\n');
  const body = prepareReferral(fhirSample('servicerequest-contained.json'), { kind: 'ServiceRequest', mappings: [loaded!] }).request.body as any;
  t.is(body.code.text, 'Hospice');
});

const identifierPaths: [string, boolean][] = [
  ["%patient.name.given.first()", true],
  ["%patient.identifier.where(type.coding.code = 'MR').value", true],
  ['%patient.birthDate', true],
  ['%patient.address.line', true],
  ['subject.display', true],
  ["%patient.address.where(use = 'home').postalCode", false],
  ['%patient.address.state', false],
  ['%patient.gender', false],
  ['code.text', false],
  ['note.text', false],
];

for (const [expression, identifies] of identifierPaths) {
  test(`${expression} ${identifies ? 'is' : 'is not'} a direct identifier`, (t) => {
    t.is(isDirectIdentifierPath(expression), identifies);
  });
}
