import test from 'ava';
import { sample, startSandbox } from './_harness.js';

test('a referral is created with 201 and matched clinicians', async (t) => {
  const run = await startSandbox(t);
  const { status, body, headers } = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  t.deepEqual(
    { status, id: /^ref_[0-9a-f]{24}$/.test(body.data.id), state: body.data.status, matched: body.data.matches.length > 0, location: headers.get('location') },
    { status: 201, id: true, state: 'matched', matched: true, location: `/v1/discharge-referrals/${body.data.id}` },
  );
});

test('matches are ranked by fit, each with its reasons', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  const scores = body.data.matches.map((match: any) => match.score);
  t.deepEqual(
    { ranked: [...scores].sort((a, b) => b - a), disciplines: body.data.matches.every((match: any) => ['RN', 'LPN'].includes(match.discipline)), reasons: body.data.matches.every((match: any) => match.reasons.length >= 2) },
    { ranked: scores, disciplines: true, reasons: true },
  );
});

test('the diagnosis shorthand is resolved to its icd-10-cm code', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  t.deepEqual(body.data.primary_diagnosis, { input: 'CHF', code: 'I50.9', display: 'Heart failure, unspecified', category: 'cardiac' });
});

test('optional fields are kept and normalised', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-full.json') });
  const { care_type, zip, city, priority, discharge_date, facility, external_id, patient } = body.data;
  t.deepEqual(
    { care_type, zip, city, priority, discharge_date, facility, external_id, patient },
    { care_type: 'Home Health', zip: '60601', city: 'Chicago', priority: 'urgent', discharge_date: '2026-01-02', facility: 'General Hospital 4 West', external_id: 'GH-ADT-000123', patient: { id: 'demo-patient-1', display: 'Demo Patient 1' } },
  );
});

test('missing required fields answer 422 listing each', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: {} });
  t.deepEqual({ status, code: body.error.code, fields: body.error.details.map((d: any) => d.field) }, { status: 422, code: 'REFERRAL_INVALID', fields: ['primary_diagnosis', 'care_type', 'zip'] });
});

test('invalid fields answer 422 listing each by its native name', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-invalid.json') });
  t.deepEqual(body.error.details.map((d: any) => d.field).sort(), ['care_type', 'colour', 'discharge_date', 'primary_diagnosis', 'priority', 'zip']);
});

test('a field of the wrong type answers 422 naming the type', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: { ...sample('referral-chf.json'), zip: 78701 } });
  t.deepEqual(body.error.details, [{ field: 'zip', message: 'must be a string, got number' }]);
});

test('an unknown zip in a referral answers 422', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: { ...sample('referral-chf.json'), zip: '00000' } });
  t.deepEqual(body.error.details, [{ field: 'zip', message: 'unknown US ZIP code 00000' }]);
});

test('the same idempotency key and body returns the same referral with a replay marker', async (t) => {
  const run = await startSandbox(t);
  const init = { method: 'POST', json: sample('referral-chf.json'), headers: { 'idempotency-key': 'adt-GH-000123' } };
  const first = await run.call('/v1/discharge-referrals', init);
  const second = await run.call('/v1/discharge-referrals', init);
  t.deepEqual(
    { status: second.status, id: second.body.data.id, replayed: second.headers.get('idempotent-replayed'), firstReplayed: first.headers.get('idempotent-replayed') },
    { status: 200, id: first.body.data.id, replayed: 'true', firstReplayed: null },
  );
});

test('concurrent requests with one idempotency key create one referral', async (t) => {
  const run = await startSandbox(t);
  const init = { method: 'POST', json: sample('referral-chf.json'), headers: { 'idempotency-key': 'race-1' } };
  const answers = await Promise.all([1, 2, 3, 4].map(() => run.call('/v1/discharge-referrals', init)));
  t.is(new Set(answers.map((answer) => answer.body.data.id)).size, 1);
});

test('the same idempotency key with another body answers 409', async (t) => {
  const run = await startSandbox(t);
  const headers = { 'idempotency-key': 'adt-GH-000124' };
  await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json'), headers });
  const { status, body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: { ...sample('referral-chf.json'), zip: '10001' }, headers });
  t.deepEqual({ status, code: body.error.code }, { status: 409, code: 'IDEMPOTENCY_CONFLICT' });
});

test('idempotency keys belong to one api key', async (t) => {
  const run = await startSandbox(t);
  const headers = { 'idempotency-key': 'shared-1' };
  const first = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json'), headers });
  const other = await run.sandbox.issueKey();
  const second = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json'), headers: { ...headers, authorization: `Bearer ${other}` } });
  t.not(second.body.data.id, first.body.data.id);
});

test('a malformed idempotency key answers 400', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json'), headers: { 'idempotency-key': 'x'.repeat(300) } });
  t.deepEqual({ status, code: body.error.code }, { status: 400, code: 'IDEMPOTENCY_KEY_INVALID' });
});

test('a referral is read back by id', async (t) => {
  const run = await startSandbox(t);
  const created = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  const read = await run.call(`/v1/discharge-referrals/${created.body.data.id}`);
  t.deepEqual(read.body.data, created.body.data);
});

test('another key cannot read a referral', async (t) => {
  const run = await startSandbox(t);
  const created = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  const other = await run.sandbox.issueKey();
  const read = await run.call(`/v1/discharge-referrals/${created.body.data.id}`, { headers: { authorization: `Bearer ${other}` } });
  t.deepEqual({ status: read.status, code: read.body.error.code }, { status: 404, code: 'REFERRAL_NOT_FOUND' });
});

test('referrals are listed newest first and filtered by external id', async (t) => {
  const run = await startSandbox(t);
  await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  const full = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-full.json') });
  const all = await run.call('/v1/discharge-referrals');
  const filtered = await run.call('/v1/discharge-referrals?external_id=GH-ADT-000123');
  t.deepEqual(
    { first: all.body.data[0].id, count: all.body.data.length, filtered: filtered.body.data.map((r: any) => r.id) },
    { first: full.body.data.id, count: 2, filtered: [full.body.data.id] },
  );
});

test('the referral service lists by patient and status for the fhir door', async (t) => {
  const run = await startSandbox(t);
  await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-full.json') });
  await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  const { total, items } = run.sandbox.deps!.referrals.list({ patientId: 'demo-patient-1', status: ['matched'], count: 10 });
  t.deepEqual({ total, patient: items[0]?.patient.id }, { total: 1, patient: 'demo-patient-1' });
});

test('listing with an unknown status answers 400 naming it', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/discharge-referrals?status=lost');
  t.deepEqual({ status, parameters: body.error.details.map((d: any) => d.parameter) }, { status: 400, parameters: ['status'] });
});

test('a referral to a zip no clinician reaches stays pending without matches', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: { ...sample('referral-chf.json'), zip: '99950' } });
  t.deepEqual({ status, state: body.data.status, matches: body.data.matches }, { status: 201, state: 'pending', matches: [] });
});
