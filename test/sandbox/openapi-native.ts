import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { checkedSandbox } from '../helpers/fhir.js';
import { sample, startReceiver } from './_harness.js';

/**
 * Native responses, success and error alike, conform to the OpenAPI
 * document: `sandbox.native` checks each one (path, method, status,
 * Content-Type, body schema) with openapi-response-validator.
 */

test('health conforms and is public', async (t) => {
  const sandbox = await checkedSandbox(t);
  const { status, body } = await sandbox.native('/v1/health', { key: null });
  t.is(status, 200);
  t.is(body.rate, null);
});

test('clinician search and its parameter errors conform', async (t) => {
  const sandbox = await checkedSandbox(t);
  t.is((await sandbox.native('/v1/clinicians/search?state=TX&limit=3')).status, 200);
  t.is((await sandbox.native('/v1/clinicians/search?zip=78701&diagnosis=CHF&discipline=RN')).status, 200);
  t.is((await sandbox.native('/v1/clinicians/search?limit=1000')).status, 400);
});

test('referral creation, replay, conflict and field errors conform', async (t) => {
  const sandbox = await checkedSandbox(t);
  const headers = { 'idempotency-key': 'k-1' };
  const created = await sandbox.native('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json'), headers });
  t.is(created.status, 201);
  t.is((await sandbox.native('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json'), headers })).status, 200);
  t.is((await sandbox.native('/v1/discharge-referrals', { method: 'POST', json: { ...sample('referral-chf.json'), zip: '10001' }, headers })).status, 409);
  t.is((await sandbox.native('/v1/discharge-referrals', { method: 'POST', json: { care_type: 'Rocket Surgery' } })).status, 422);
  t.is((await sandbox.native('/v1/discharge-referrals', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })).status, 400);
  t.is((await sandbox.native('/v1/discharge-referrals', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } })).status, 415);
});

test('referral reads and lists conform', async (t) => {
  const sandbox = await checkedSandbox(t);
  const created = await sandbox.native('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  t.is((await sandbox.native(`/v1/discharge-referrals/${created.body.data.id}`)).status, 200);
  t.is((await sandbox.native('/v1/discharge-referrals/ref_unknown')).status, 404);
  t.is((await sandbox.native('/v1/discharge-referrals?status=matched&limit=5')).status, 200);
  t.is((await sandbox.native('/v1/discharge-referrals?status=lost')).status, 400);
});

test('zip resolution and its errors conform', async (t) => {
  const sandbox = await checkedSandbox(t);
  t.is((await sandbox.native('/v1/geo/zip/78701')).status, 200);
  t.is((await sandbox.native('/v1/geo/zip/7870')).status, 400);
  t.is((await sandbox.native('/v1/geo/zip/00000')).status, 404);
});

test('webhook registration, listing, deliveries and removal conform', async (t) => {
  const sandbox = await checkedSandbox(t);
  const receiver = await startReceiver(t);
  const registered = await sandbox.native('/v1/webhooks', { method: 'POST', json: { url: receiver.url, events: ['referral.created'] } });
  t.is(registered.status, 201);
  await receiver.waitFor(1);
  t.is((await sandbox.native('/v1/webhooks', { method: 'POST', json: { url: 'ftp://nope' } })).status, 422);
  t.is((await sandbox.native('/v1/webhooks')).status, 200);
  t.is((await sandbox.native(`/v1/webhooks/${registered.body.data.id}/deliveries`)).status, 200);
  t.is((await sandbox.native(`/v1/webhooks/${registered.body.data.id}`, { method: 'DELETE' })).status, 200);
  t.is((await sandbox.native(`/v1/webhooks/${registered.body.data.id}`, { method: 'DELETE' })).status, 404);
});

test('missing keys, unknown routes and exhausted windows conform', async (t) => {
  const sandbox = await checkedSandbox(t, { config: { ratePerMinute: 1 }, clock: new ManualClock(Date.UTC(2026, 2, 1, 12, 0, 30)) });
  t.is((await sandbox.native('/v1/geo/zip/78701', { key: null })).status, 401);
  t.is((await sandbox.native('/v1/geo/zip/78701', { headers: { 'x-api-key': sandbox.key }, key: null })).status, 200);
  t.is((await sandbox.native('/v1/geo/zip/78701')).status, 429);
  t.is((await sandbox.native('/v1/nowhere')).status, 404);
});
