import test from 'ava';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import net from 'node:net';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { ManualClock } from '../../core/clock.js';
import { subscriberQueue } from '../../relay/match.js';
import { eventBody, startRelay, startSubscriber, until } from './_support.js';

const subscriberSecret = 'whsec_c3Vic2NyaWJlci1vd24tc2VjcmV0LWZvci1laHI=';

const stringHeaders = (headers: http.IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]));

test('an http subscriber gets the exact body re-signed with its own secret in both header shapes', async (t) => {
  const endpoint = await startSubscriber(t);
  const relay = await startRelay(t, { subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url, secret: subscriberSecret, headers: { 'X-Gateway-Key': 'gw-123' } }] });
  const body = eventBody('evt_resign_1');
  t.is((await relay.send(body)).status, 200);
  await until(() => endpoint.received.length === 1);
  const [got] = endpoint.received;
  t.is(got!.body, body);
  t.deepEqual(new Webhook(subscriberSecret).verify(got!.body, stringHeaders(got!.headers)), JSON.parse(body));
  t.true(await octokitVerify(subscriberSecret, got!.body, String(got!.headers['x-caraloom-signature'])));
  t.is(got!.headers['webhook-id'], got!.headers['x-caraloom-delivery']);
  t.regex(String(got!.headers['webhook-id']), /^dlv_[0-9a-f]{32}$/);
  t.is(got!.headers['x-caraloom-event'], 'referral.matched');
  t.is(got!.headers['x-gateway-key'], 'gw-123');
});

test('a retried delivery keeps its delivery id', async (t) => {
  const endpoint = await startSubscriber(t, (_, index) => ({ status: index === 0 ? 503 : 200 }));
  const relay = await startRelay(t, { subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url, secret: subscriberSecret, retrySchedule: ['10ms', '10ms'] }] });
  await relay.send(eventBody('evt_retry_id'));
  const journal = relay.relay.journal()!;
  await until(async () => (await journal.getByKey(subscriberQueue('ehr'), 'evt_retry_id'))?.status === 'delivered');
  const item = await journal.getByKey(subscriberQueue('ehr'), 'evt_retry_id');
  t.is(item?.status, 'delivered');
  t.is(item?.attempts, 2);
  t.deepEqual(endpoint.all.map((got) => got.headers['webhook-id']), [item?.meta.deliveryId, item?.meta.deliveryId]);
});

test('429 with retry-after is honoured before the next attempt', async (t) => {
  const clock = new ManualClock(Date.now());
  const endpoint = await startSubscriber(t, (_, index) => (index === 0 ? { status: 429, headers: { 'Retry-After': '120' } } : { status: 200 }));
  const relay = await startRelay(t, { subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url }] }, { clock });
  await relay.send(eventBody('evt_429'));
  const journal = relay.relay.journal()!;
  await until(async () => (await journal.getByKey(subscriberQueue('ehr'), 'evt_429'))?.attempts === 1);
  const waiting = await journal.getByKey(subscriberQueue('ehr'), 'evt_429');
  t.true(waiting!.availableAt - clock.now() >= 120_000);
  t.is(waiting!.lastError, 'HTTP 429');
  clock.advance(130_000);
  relay.relay.poke();
  await until(() => endpoint.received.length === 1);
  t.is(endpoint.calls(), 2);
});

test('a 4xx answer sends the delivery to dead letters at once with the answer kept', async (t) => {
  const endpoint = await startSubscriber(t, () => ({ status: 422, body: '{"error":"unknown referral type"}' }));
  const relay = await startRelay(t, { subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url }] });
  await relay.send(eventBody('evt_422'));
  const journal = relay.relay.journal()!;
  await until(async () => (await journal.getByKey(subscriberQueue('ehr'), 'evt_422'))?.status === 'dead');
  const item = await journal.getByKey(subscriberQueue('ehr'), 'evt_422');
  const attempts = await journal.attempts(item!.id);
  t.is(attempts.length, 1);
  t.is(attempts[0]!.status, 422);
  t.is(attempts[0]!.response, '{"error":"unknown referral type"}');
});

test('410 gone pauses the subscriber until it is resumed', async (t) => {
  let gone = true;
  const endpoint = await startSubscriber(t, () => ({ status: gone ? 410 : 200 }));
  const relay = await startRelay(t, { subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url, ordering: 'subscriber' }], adminTokens: ['admin-token-0123456789'] });
  await relay.send(eventBody('evt_gone_1'));
  await relay.send(eventBody('evt_gone_2'));
  const admin = (path: string, method = 'GET') => fetch(`${relay.url}${path}`, { method, headers: { authorization: 'Bearer admin-token-0123456789' } }).then((response) => response.json() as Promise<{ data: Array<Record<string, unknown>> }>);
  await until(async () => (await admin('/admin/subscribers')).data[0]!.state === 'paused');
  t.is(endpoint.calls(), 1);
  const status = (await admin('/admin/subscribers')).data[0]!;
  t.like(status, { name: 'ehr', state: 'paused', backlog: 2, pausedReason: 'subscriber answered 410 Gone' });
  gone = false;
  await admin('/admin/subscribers/ehr/resume', 'POST');
  await until(() => endpoint.received.length === 2);
  t.deepEqual(endpoint.received.map((got) => JSON.parse(got.body).id), ['evt_gone_1', 'evt_gone_2']);
  const journal = relay.relay.journal()!;
  t.is((await journal.getByKey(subscriberQueue('ehr'), 'evt_gone_1'))?.attempts, 1, 'the 410 did not use up the schedule');
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a subscriber that is down and comes back gets every event, in order', async (t) => {
  const port = await freePort();
  const relay = await startRelay(t, {
    subscribers: [{ name: 'ehr', kind: 'http', url: `http://127.0.0.1:${port}/hooks`, ordering: 'subscriber', retrySchedule: Array(20).fill('20ms') }],
    breaker: { failures: 3, cooldown: '30ms' },
  });
  const ids = Array.from({ length: 8 }, (_, index) => `evt_down_${index}`);
  for (const id of ids) t.is((await relay.send(eventBody(id, { referral: `ref_${id}` }))).status, 200);
  const journal = relay.relay.journal()!;
  await until(async () => ((await journal.getByKey(subscriberQueue('ehr'), ids[0]!))?.attempts ?? 0) >= 3);
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => (received.push(JSON.parse(body).id), res.end()));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  await until(() => received.length === ids.length);
  t.deepEqual(received, ids);
  // The last delivery is recorded once its answer is back.
  await until(async () => (await journal.counts(subscriberQueue('ehr'))).delivered === ids.length);
  t.like(await journal.counts(subscriberQueue('ehr')), { delivered: ids.length, queued: 0 });
});

test('a subscriber failing forever ends in dead letters and the others are unaffected', async (t) => {
  const broken = await startSubscriber(t, () => ({ status: 500, body: 'internal error' }));
  const healthy = await startSubscriber(t);
  const relay = await startRelay(t, {
    subscribers: [
      { name: 'broken', kind: 'http', url: broken.url, retrySchedule: ['10ms', '10ms'], ordering: 'none' },
      { name: 'healthy', kind: 'http', url: healthy.url },
    ],
    breaker: { failures: 0 },
  });
  const ids = Array.from({ length: 5 }, (_, index) => `evt_forever_${index}`);
  for (const id of ids) await relay.send(eventBody(id, { referral: `ref_${id}` }));
  const journal = relay.relay.journal()!;
  await until(async () => (await journal.counts(subscriberQueue('broken'))).dead === ids.length);
  await until(() => healthy.received.length === ids.length);
  t.deepEqual(healthy.received.map((got) => JSON.parse(got.body).id).sort(), [...ids].sort());
  const dead = await journal.getByKey(subscriberQueue('broken'), ids[0]!);
  t.regex(dead!.lastError ?? '', /retries exhausted: HTTP 500/);
  const attempts = await journal.attempts(dead!.id);
  t.deepEqual(attempts.map((attempt) => [attempt.status, attempt.response]), [[500, 'internal error'], [500, 'internal error'], [500, 'internal error']]);
});

test('the circuit opens after repeated failures, fails fast, and a probe closes it', async (t) => {
  const clock = new ManualClock(Date.now());
  let up = false;
  const endpoint = await startSubscriber(t, () => ({ status: up ? 200 : 503 }));
  const relay = await startRelay(t, { subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url, ordering: 'none', concurrency: 1 }], breaker: { failures: 2, cooldown: '10m' } }, { clock });
  for (const id of ['evt_cb_1', 'evt_cb_2', 'evt_cb_3']) await relay.send(eventBody(id, { referral: `ref_${id}` }));
  const journal = relay.relay.journal()!;
  const handled = async () => (await journal.list({ queue: subscriberQueue('ehr') })).every((item) => item.lastError !== null);
  await until(handled);
  t.is(endpoint.calls(), 2, 'the third attempt failed fast without a request');
  const third = await journal.getByKey(subscriberQueue('ehr'), 'evt_cb_3');
  t.is(third?.lastError, 'circuit open: not attempted');
  // The subscriber answered well less than ten cooldowns ago (here: the runner's start): not down, so the fail-fast is not counted.
  t.is(third?.attempts, 0, 'a fail-fast of a subscriber not yet down uses up none of the schedule');
  up = true;
  clock.advance(11 * 60_000);
  relay.relay.poke();
  await until(async () => (await journal.counts(subscriberQueue('ehr'))).delivered === 3);
  t.is(endpoint.received.length, 3);
});

// The fault run (npm run faults) found it: a flapping subscriber's open circuit, counted against every item it
// fell on, buried items the subscriber was never sent. A fail-fast counts only once the subscriber is down.
test('fail-fasts use up the schedule only once the subscriber is down: nothing delivered for ten cooldowns', async (t) => {
  const clock = new ManualClock(Date.now());
  const endpoint = await startSubscriber(t, () => ({ status: 503 }));
  const relay = await startRelay(
    t,
    { subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url, ordering: 'none', concurrency: 1, retrySchedule: ['1s', '1s'] }], breaker: { failures: 2, cooldown: '1m' } },
    { clock },
  );
  for (const id of ['evt_down_1', 'evt_down_2', 'evt_down_3']) await relay.send(eventBody(id, { referral: `ref_${id}` }));
  const journal = relay.relay.journal()!;
  const third = () => journal.getByKey(subscriberQueue('ehr'), 'evt_down_3');
  await until(async () => (await third())?.lastError === 'circuit open: not attempted');
  t.is((await third())?.attempts, 0, 'not down yet: uncounted');
  // Ten cooldowns with nothing delivered: the subscriber is down. The probe after them fails and opens the
  // circuit again; from then on each fail-fast counts, and every item reaches its dead letter within the circuit's
  // cooldown, without another request.
  clock.advance(10 * 60_000);
  relay.relay.poke();
  await until(() => endpoint.calls() === 3, { what: 'the probe' });
  const probedAt = clock.now();
  await until(
    async () => {
      clock.advance(2_000);
      relay.relay.poke();
      return (await journal.counts(subscriberQueue('ehr'))).dead === 3;
    },
    { timeoutMs: 30_000, what: 'all three dead' },
  );
  t.true(clock.now() - probedAt <= 60_000, `dead ${clock.now() - probedAt} ms after the probe: within its cooldown`);
  const dead = await third();
  t.regex(dead?.lastError ?? '', /^retries exhausted: /);
  t.is(dead?.attempts, 3);
  t.is(endpoint.calls(), 3, 'the counted attempts after the probe failed fast');
});
