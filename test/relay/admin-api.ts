import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { tempDir } from '../helpers/temp.js';
import { subscriberQueue } from '../../relay/match.js';
import { eventBody, startRelay, startSubscriber, until, type StartedRelay } from './_support.js';

const token = 'relay-admin-token-for-tests';
/** Content views need role phi (issue #13); test/phi/roles.ts covers the lower roles. */
const admins = [{ name: 'tests', token, role: 'phi' }];

const call = async (relay: StartedRelay, path: string, options: { method?: string; token?: string } = {}) => {
  const response = await fetch(`${relay.url}${path}`, { method: options.method ?? 'GET', headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` } });
  return { status: response.status, body: (await response.json()) as { data: any; error?: { code: string } } };
};

test('the admin api refuses a missing or wrong token', async (t) => {
  const relay = await startRelay(t, { adminTokens: admins });
  t.is((await call(relay, '/admin/events')).status, 401);
  t.is((await call(relay, '/admin/events', { token: 'not-the-admin-token-at-all' })).status, 401);
  t.is((await call(relay, '/admin/events', { token })).status, 200);
});

test('the admin api is off without a token', async (t) => {
  const relay = await startRelay(t, {});
  const answer = await call(relay, '/admin/subscribers', { token: 'anything-at-all-here' });
  t.is(answer.status, 404);
});

test('the admin api also accepts the token from CARALOOM_RELAY_ADMIN_TOKEN', async (t) => {
  const relay = await startRelay(t, {}, { env: { CARALOOM_RELAY_ADMIN_TOKEN: token } });
  t.is((await call(relay, '/admin/subscribers', { token })).status, 200);
});

test('events are listed, shown with their deliveries, and replayed with the same delivery id', async (t) => {
  const endpoint = await startSubscriber(t);
  const relay = await startRelay(t, { adminTokens: admins, subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url }] });
  await relay.send(eventBody('evt_admin_1'));
  await until(() => endpoint.received.length === 1);
  const list = await call(relay, '/admin/events', { token });
  t.like(list.body.data[0], { eventId: 'evt_admin_1', type: 'referral.matched', referralId: 'ref_7QK2M9', subscribers: ['ehr'] });
  await until(async () => (await call(relay, '/admin/events/evt_admin_1', { token })).body.data.deliveries[0].status === 'delivered');
  const shown = await call(relay, '/admin/events/evt_admin_1', { token });
  t.is(shown.body.data.event.id, 'evt_admin_1');
  t.is((await call(relay, '/admin/events/evt_unknown', { token })).status, 404);
  const replay = await call(relay, '/admin/events/evt_admin_1/replay', { method: 'POST', token });
  t.deepEqual(replay.body.data, { replayed: ['ehr'], skipped: [] });
  await until(() => endpoint.received.length === 2);
  t.is(endpoint.received[0]!.headers['webhook-id'], endpoint.received[1]!.headers['webhook-id']);
});

test('dead deliveries are listed with their attempts and replayed for a subscriber', async (t) => {
  let healthy = false;
  const endpoint = await startSubscriber(t, () => ({ status: healthy ? 200 : 400, body: 'bad request' }));
  const relay = await startRelay(t, { adminTokens: admins, subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url, ordering: 'none' }] });
  for (const id of ['evt_dead_1', 'evt_dead_2']) await relay.send(eventBody(id, { referral: id }));
  const journal = relay.relay.journal()!;
  await until(async () => (await journal.counts(subscriberQueue('ehr'))).dead === 2);
  const dead = await call(relay, '/admin/deliveries?subscriber=ehr&status=dead', { token });
  t.is(dead.body.data.length, 2);
  const one = await call(relay, `/admin/deliveries/${dead.body.data[0].id}`, { token });
  t.like(one.body.data, { status: 'dead', lastError: 'HTTP 400' });
  t.like(one.body.data.history[0], { ok: false, status: 400, response: 'bad request' });
  t.is((await call(relay, '/admin/deliveries?status=nonsense', { token })).status, 400);
  healthy = true;
  const replayed = await call(relay, '/admin/subscribers/ehr/replay-dead', { method: 'POST', token });
  t.deepEqual(replayed.body.data, { replayed: 2 });
  await until(async () => (await journal.counts(subscriberQueue('ehr'))).delivered === 2);
  t.is(endpoint.received.length, 2);
});

test('subscriber status shows state, backlog and dead letters, and pause holds deliveries back', async (t) => {
  const endpoint = await startSubscriber(t);
  const relay = await startRelay(t, { adminTokens: admins, subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url }, { name: 'audit', kind: 'log' }] });
  t.is((await call(relay, '/admin/subscribers/ehr/pause', { method: 'POST', token })).status, 200);
  await relay.send(eventBody('evt_paused'));
  const status = await call(relay, '/admin/subscribers', { token });
  t.like(status.body.data[0], { name: 'ehr', kind: 'http', state: 'paused', backlog: 1, dead: 0, pausedReason: 'paused by an operator' });
  t.is(status.body.data[1].name, 'audit');
  t.is(endpoint.calls(), 0);
  t.is((await call(relay, '/admin/subscribers/nobody/pause', { method: 'POST', token })).status, 404);
  await call(relay, '/admin/subscribers/ehr/resume', { method: 'POST', token });
  await until(() => endpoint.received.length === 1);
  // The delivery is recorded once its answer is back (with the other completions of that moment).
  await until(async () => (await call(relay, '/admin/subscribers', { token })).body.data[0].delivered === 1);
  t.like((await call(relay, '/admin/subscribers', { token })).body.data[0], { state: 'healthy', backlog: 0, delivered: 1 });
});

test('probes and metrics answer without a token and metrics count refusals', async (t) => {
  const relay = await startRelay(t, { subscribers: [{ name: 'audit', kind: 'log' }] });
  await relay.post('{}', { 'x-caraloom-signature': 'sha256=00' });
  await relay.send(eventBody('evt_metrics'));
  t.is((await fetch(`${relay.url}/healthz`)).status, 200);
  t.is((await fetch(`${relay.url}/readyz`)).status, 200);
  const metrics = await (await fetch(`${relay.url}/metrics`)).text();
  t.regex(metrics, /caraloom_relay_events_received_total\{outcome="bad_signature",service="relay"\} 1/);
  t.regex(metrics, /caraloom_relay_events_received_total\{outcome="accepted",service="relay"\} 1/);
});

test('readiness fails while the relay has no verification secret', async (t) => {
  const relay = await startRelay(t, { secrets: [] });
  const response = await fetch(`${relay.url}/readyz`);
  t.is(response.status, 503);
  t.deepEqual(((await response.json()) as { problems: string[] }).problems, ['no webhook verification secret']);
});

test('an event id is forgotten only after the dedupe window', async (t) => {
  const clock = new ManualClock(Date.now());
  const relay = await startRelay(t, { subscribers: [{ name: 'audit', kind: 'log' }], dedupeWindow: '2d' }, { clock });
  const body = eventBody('evt_window');
  t.like((await relay.send(body)).body, { duplicate: false });
  clock.advance(36 * 3_600_000);
  await relay.relay.purge();
  t.like((await relay.send(body)).body, { duplicate: true }, 'still a duplicate after the API\'s 28 h of retries');
  clock.advance(13 * 3_600_000);
  await relay.relay.purge();
  t.like((await relay.send(body)).body, { duplicate: false });
});

test('a subscriber whose oldest delivery keeps failing shows as failing with its last error', async (t) => {
  const endpoint = await startSubscriber(t, () => ({ status: 503 }));
  const relay = await startRelay(t, { adminTokens: admins, breaker: { failures: 0 }, subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url }] });
  await relay.send(eventBody('evt_failing'));
  await until(async () => (await call(relay, '/admin/subscribers', { token })).body.data[0].state === 'failing');
  t.like((await call(relay, '/admin/subscribers', { token })).body.data[0], { state: 'failing', backlog: 1, lastError: 'HTTP 503' });
});

test('dead deliveries of every subscriber are replayed at once', async (t) => {
  let healthy = false;
  const endpoint = await startSubscriber(t, () => ({ status: healthy ? 200 : 404 }));
  const relay = await startRelay(t, { adminTokens: admins, subscribers: [{ name: 'one', kind: 'http', url: endpoint.url }, { name: 'two', kind: 'http', url: endpoint.url }] });
  await relay.send(eventBody('evt_all_dead'));
  const journal = relay.relay.journal()!;
  await until(async () => (await journal.counts()).dead === 2);
  healthy = true;
  t.deepEqual((await call(relay, '/admin/deliveries/replay-dead', { method: 'POST', token })).body.data, { replayed: 2 });
  await until(() => endpoint.received.length === 2);
  t.is((await journal.counts()).dead, 0);
});

test('subscriber status also shows subscribers that recent events went to but config does not name', async (t) => {
  const dataDir = tempDir(t, 'relay-unconfigured-');
  const trial = await startRelay(t, { subscribers: [{ name: 'trial', kind: 'log' }] }, { dataDir });
  await trial.send(eventBody('evt_trial'));
  await until(async () => (await trial.relay.journal()!.counts('relay.sub.trial')).delivered === 1);
  await trial.relay.stop();
  const relay = await startRelay(t, { adminTokens: admins, subscribers: [{ name: 'ehr', kind: 'log' }] }, { dataDir });
  const status = await call(relay, '/admin/subscribers', { token });
  t.deepEqual(status.body.data.map((row: { name: string; kind: string; delivered: number }) => [row.name, row.kind, row.delivered]), [['ehr', 'log', 0], ['trial', 'unconfigured', 1]]);
});

test('an event purged from the dedupe records can still be shown and replayed from its deliveries', async (t) => {
  const clock = new ManualClock(Date.now());
  const endpoint = await startSubscriber(t);
  const relay = await startRelay(t, { adminTokens: admins, subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url }] }, { clock });
  await relay.send(eventBody('evt_old'));
  await until(async () => (await relay.relay.journal()!.counts('relay.sub.ehr')).delivered === 1);
  clock.advance(4 * 86_400_000);
  await relay.relay.purge();
  t.is((await relay.relay.journal()!.counts('relay.events')).delivered, 0, 'the dedupe record is gone');
  const shown = await call(relay, '/admin/events/evt_old', { token });
  t.like(shown.body.data, { eventId: 'evt_old', type: 'referral.matched', subscribers: ['ehr'] });
  t.deepEqual((await call(relay, '/admin/events/evt_old/replay', { method: 'POST', token })).body.data, { replayed: ['ehr'], skipped: [] });
  await until(() => endpoint.received.length === 2);
  t.is(endpoint.received[1]!.body, endpoint.received[0]!.body);
});
