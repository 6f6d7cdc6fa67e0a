import test from 'ava';
import { findIcd10CmReason, icd10CmSystem, normaliseIcd10Cm } from '../../core/fhir/icd10.js';

const shapes: [string, string | undefined][] = [
  ['I50.9', 'I50.9'],
  ['i509', 'I50.9'],
  [' E11.9 ', 'E11.9'],
  ['S72009A', 'S72.009A'],
  ['G20', 'G20'],
  ['428.0', undefined], // ICD-9
  ['U07.1', 'U07.1'], // COVID-19: ICD-10-CM has used U07.1 since 2020
  ['I50.91234', undefined],
  ['', undefined],
];

for (const [input, expected] of shapes) {
  test(`normalises ${JSON.stringify(input)} to ${expected ?? 'nothing'}`, (t) => {
    t.is(normaliseIcd10Cm(input), expected);
  });
}

test('finds the first ICD-10-CM coding among reason codes', (t) => {
  const concepts = [{ coding: [{ system: 'http://snomed.info/sct', code: '42343007' }] }, { text: 'CHF', coding: [{ system: icd10CmSystem, code: 'i50.9' }] }];
  t.deepEqual(findIcd10CmReason(concepts, 'ServiceRequest.reasonCode'), { found: { code: 'I50.9', display: 'CHF', expression: 'ServiceRequest.reasonCode[1].coding[0].code' } });
});

test('reports a malformed ICD-10-CM code by path', (t) => {
  t.deepEqual(findIcd10CmReason([{ coding: [{ system: icd10CmSystem, code: '428.0' }] }], 'X.reasonCode'), { malformed: { expression: 'X.reasonCode[0].coding[0].code' } });
});

test('finds nothing without an ICD-10-CM coding', (t) => {
  t.deepEqual(findIcd10CmReason([{ text: 'Bradycardia' }], 'X'), {});
  t.deepEqual(findIcd10CmReason(undefined, 'X'), {});
});
