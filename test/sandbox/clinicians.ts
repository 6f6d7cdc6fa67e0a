import test from 'ava';
import { generateClinicians } from '../../sandbox/clinicians/generate.js';
import { matchClinicians } from '../../sandbox/clinicians/match.js';
import type { Clinician, ClinicianMatch } from '../../sandbox/domain.js';
import { distanceMiles, serviceStates, serviceZips, type ZipPlace } from '../../sandbox/geo.js';
import { type CareType, careTypes } from '../../sandbox/vocab/care-types.js';
import { type Diagnosis, resolveDiagnosis } from '../../sandbox/vocab/diagnoses.js';
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

/** Matching as it was before the latitude index: every clinician scored (the reference the index must agree with). */
function matchEveryone(clinicians: readonly Clinician[], careType: CareType, diagnosis: Diagnosis, place: ZipPlace): Omit<ClinicianMatch, 'reasons'>[] {
  const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;
  const scored: (ClinicianMatch & { inside: boolean })[] = [];
  for (const clinician of clinicians) {
    if (clinician.verification.status !== 'verified' || !clinician.acceptingReferrals) continue;
    const rank = careType.disciplines.indexOf(clinician.discipline);
    if (rank < 0) continue;
    const distance = distanceMiles(place, clinician.location);
    const inside = distance <= clinician.serviceRadiusMiles;
    if (!inside && distance > 100) continue;
    const disciplineFit = rank === 0 ? 1 : Math.max(0.5, 0.8 - 0.1 * (rank - 1));
    const specialtyFit = diagnosis.category === undefined ? 0.5 : clinician.specialties.includes(diagnosis.category) ? 1 : 0;
    const distanceFit = inside ? 1 - distance / (2 * clinician.serviceRadiusMiles) : Math.max(0, 0.4 - distance / 250);
    scored.push({ clinicianId: clinician.id, displayName: clinician.displayName, discipline: clinician.discipline, specialties: clinician.specialties, distanceMiles: round(distance, 1), score: round(0.4 * disciplineFit + 0.35 * specialtyFit + 0.25 * distanceFit, 3), reasons: [], inside });
  }
  scored.sort((a, b) => Number(b.inside) - Number(a.inside) || b.score - a.score || a.distanceMiles - b.distanceMiles || a.clinicianId.localeCompare(b.clinicianId));
  return scored.slice(0, 5).map(({ inside: _inside, reasons: _reasons, ...match }) => match);
}

test('matching through the latitude index chooses what scoring every clinician chooses', (t) => {
  const zips = serviceZips();
  const diagnoses = ['CHF', 'COPD', 'stroke', 'hip fracture', 'Z99.89'].map((value) => resolveDiagnosis(value) ?? { input: value });
  const differences: string[] = [];
  let requests = 0;
  for (let i = 0; i < zips.length; i += 97) {
    const place = zips[i]!;
    for (const careType of careTypes) {
      const diagnosis = diagnoses[i % diagnoses.length] as Diagnosis;
      const indexed = matchClinicians(demo, { careType, diagnosis, place }).map(({ reasons: _reasons, ...match }) => match);
      requests++;
      if (JSON.stringify(indexed) !== JSON.stringify(matchEveryone(demo, careType, diagnosis, place))) differences.push(`${place.zip} ${careType.name}`);
    }
  }
  t.true(requests > 1000);
  t.deepEqual(differences, []);
});
