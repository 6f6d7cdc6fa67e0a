import test from 'ava';
import { resolveCareType } from '../../sandbox/vocab/care-types.js';
import { normaliseIcd10, resolveDiagnosis } from '../../sandbox/vocab/diagnoses.js';

for (const [input, code, category] of [
  ['CHF', 'I50.9', 'cardiac'],
  ['chf', 'I50.9', 'cardiac'],
  ['I50.9', 'I50.9', 'cardiac'],
  ['i509', 'I50.9', 'cardiac'],
  ['I50.22', 'I50.22', 'cardiac'],
  ['COPD', 'J44.9', 'pulmonary'],
  ['stroke', 'I63.9', 'neuro'],
  ['I69.351', 'I69.351', 'neuro'],
  ['wound', 'L89.90', 'wound'],
  ['L89.154', 'L89.154', 'wound'],
  ['diabetes', 'E11.9', 'diabetes'],
  ['E11.65', 'E11.65', 'diabetes'],
  ['hip fracture', 'S72.009A', 'orthopedic'],
  ['Z99.89', 'Z99.89', undefined],
] as const) {
  test(`diagnosis ${input} resolves to ${code} (${category ?? 'no specialty'})`, (t) => {
    const diagnosis = resolveDiagnosis(input);
    t.deepEqual({ code: diagnosis?.code, category: diagnosis?.category }, { code, category });
  });
}

for (const input of ['feeling unwell', '', 'I5', '123']) {
  test(`diagnosis ${JSON.stringify(input)} is not recognised`, (t) => {
    t.is(resolveDiagnosis(input), undefined);
  });
}

test('a u code such as covid-19 u07.1 is an icd-10-cm code', (t) => {
  t.is(resolveDiagnosis('u071')?.code, 'U07.1');
});

test('icd-10-cm codes are normalised with a dot after the category', (t) => {
  t.deepEqual(['i509', 'E1165', 'G20'].map(normaliseIcd10), ['I50.9', 'E11.65', 'G20']);
});

for (const [input, name, first] of [
  ['Skilled Nursing', 'Skilled Nursing', 'RN'],
  ['skilled_nursing', 'Skilled Nursing', 'RN'],
  ['PT', 'Physical Therapy', 'PT'],
  ['hospice', 'Hospice', 'RN'],
  ['Home Health Aide', 'Home Health Aide', 'HHA'],
  ['speech therapy', 'Speech Therapy', 'SLP'],
] as const) {
  test(`care type ${input} is ${name}, delivered first by ${first}`, (t) => {
    const type = resolveCareType(input);
    t.deepEqual({ name: type?.name, first: type?.disciplines[0] }, { name, first });
  });
}

test('an unknown care type is not recognised', (t) => {
  t.is(resolveCareType('Massage'), undefined);
});
