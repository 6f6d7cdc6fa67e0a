import test from 'ava';
import { generateClinicians } from '../../sandbox/clinicians/generate.js';
import { serviceStates } from '../../sandbox/geo.js';
import { startSandbox } from './_harness.js';

const demo = generateClinicians(20260101, 4000);

test('the demo workforce is the same for the same seed', (t) => {
  t.deepEqual(generateClinicians(20260101, 4000), demo);
});

test('a different seed gives different clinicians', (t) => {
  t.notDeepEqual(generateClinicians(7, 4000)[0], demo[0]);
});

test('the demo workforce covers every state and dc with at least 2000 clinicians', (t) => {
  const states = new Set(demo.map((clinician) => clinician.location.state));
  t.deepEqual({ count: demo.length >= 2000, states: [...states].sort() }, { count: true, states: [...serviceStates].sort() });
});

test('the demo workforce holds every discipline', (t) => {
  t.deepEqual([...new Set(demo.map((clinician) => clinician.discipline))].sort(), ['HHA', 'LPN', 'MSW', 'OT', 'PT', 'RN', 'SLP']);
});

test('license numbers are masked', (t) => {
  t.true(demo.every((clinician) => /^[A-Z]+-•••••\d{3}$/.test(clinician.license.number)));
});

test('search by state returns only that state, 10 by default', async (t) => {
  const run = await startSandbox(t);
  const { body, headers } = await run.call('/v1/clinicians/search?state=TX');
  t.deepEqual(
    { count: body.data.length, states: [...new Set(body.data.map((c: any) => c.location.state))], totalAbove10: Number(headers.get('x-total-count')) > 10 },
    { count: 10, states: ['TX'], totalAbove10: true },
  );
});

test('search by city matches the city case-insensitively', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/clinicians/search?city=houston&state=tx&limit=100');
  t.true(body.data.length > 0 && body.data.every((c: any) => c.location.city === 'Houston'));
});

test('search by zip returns clinicians whose radius reaches it, nearest first', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/clinicians/search?zip=10001&limit=20');
  const distances = body.data.map((c: any) => c.distance_miles);
  t.deepEqual(
    { some: distances.length > 0, sorted: [...distances].sort((a, b) => a - b), inRadius: body.data.every((c: any) => c.distance_miles <= c.service_radius_miles) },
    { some: true, sorted: distances, inRadius: true },
  );
});

test('search by diagnosis shorthand keeps the fitting specialty', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/clinicians/search?diagnosis=COPD&limit=50');
  t.true(body.data.length > 0 && body.data.every((c: any) => c.specialties.includes('pulmonary')));
});

test('search by icd-10-cm code maps to its specialty', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/clinicians/search?diagnosis=I50.9&limit=50');
  t.true(body.data.length > 0 && body.data.every((c: any) => c.specialties.includes('cardiac')));
});

test('limit accepts up to 100', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/clinicians/search?limit=100');
  t.is(body.data.length, 100);
});

for (const [query, parameter] of [
  ['limit=101', 'limit'],
  ['limit=0', 'limit'],
  ['limit=ten', 'limit'],
  ['state=XX', 'state'],
  ['zip=7870', 'zip'],
  ['zip=00000', 'zip'],
  ['diagnosis=feeling%20unwell', 'diagnosis'],
  ['diagnoses=CHF', 'diagnoses'],
  ['state=TX&state=CA', 'state'],
] as const) {
  test(`a bad parameter ${query} is refused with 400 naming ${parameter}`, async (t) => {
    const run = await startSandbox(t);
    const { status, body } = await run.call(`/v1/clinicians/search?${query}`);
    t.deepEqual({ status, code: body.error.code, parameters: body.error.details.map((d: any) => d.parameter) }, { status: 400, code: 'PARAMETER_INVALID', parameters: [parameter] });
  });
}

test('several bad parameters are all named in one answer', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/clinicians/search?limit=500&state=ZZ');
  t.deepEqual(body.error.details.map((d: any) => d.parameter).sort(), ['limit', 'state']);
});
