import { verify } from '@octokit/webhooks-methods';
import test from 'ava';
import { Webhook } from 'standardwebhooks';
import { ManualClock } from '../../core/clock.js';
import { eventually, sample, startReceiver, startSandbox, type Running } from './_harness.js';

async function register(run: Running, url: string, events?: string[]): Promise<{ id: string; secret: string }> {
  const { body } = await run.call('/v1/webhooks', { method: 'POST', json: events === undefined ? { url } : { url, events } });
  return body.data;
}

test('registration answers 201 with the id and a whsec signing secret', async (t) => {
  const run = await startSandbox(t);
  const receiver = await startReceiver(t);
  const { status, body } = await run.call('/v1/webhooks', { method: 'POST', json: { url: receiver.url, events: ['referral.created'] } });
  t.deepEqual(
    { status, id: /^wh_/.test(body.data.id), secret: /^whsec_/.test(body.data.secret), events: body.data.events },
    { status: 201, id: true, secret: true, events: ['referral.created'] },
  );
});

test('the list of webhooks never shows secrets', async (t) => {
  const run = await startSandbox(t);
  const receiver = await startReceiver(t);
  const { id } = await register(run, receiver.url);
  const { body } = await run.call('/v1/webhooks');
  t.deepEqual(body.data.map((hook: any) => Object.keys(hook).sort()), [['created_at', 'events', 'id', 'url']]);
  t.is(body.data[0].id, id);
});

test('a deleted webhook is gone from the list', async (t) => {
  const run = await startSandbox(t);
  const receiver = await startReceiver(t);
  const { id } = await register(run, receiver.url);
  const deleted = await run.call(`/v1/webhooks/${id}`, { method: 'DELETE' });
  const { body } = await run.call('/v1/webhooks');
  t.deepEqual({ status: deleted.status, list: body.data }, { status: 200, list: [] });
});

test('deleting an unknown webhook answers 404', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/webhooks/wh_nope', { method: 'DELETE' });
  t.deepEqual({ status, code: body.error.code }, { status: 404, code: 'WEBHOOK_NOT_FOUND' });
});

test('an invalid registration answers 422 listing each field', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/webhooks', { method: 'POST', json: { url: 'ftp://example.com/x', events: ['referral.deleted'] } });
  t.deepEqual({ status, fields: body.error.details.map((d: any) => d.field) }, { status: 422, fields: ['url', 'events'] });
});

test('registration sends a ping signed so that an independent verifier accepts it', async (t) => {
  const run = await startSandbox(t);
  const receiver = await startReceiver(t);
  const { id, secret } = await register(run, receiver.url, ['referral.created']);
  const [ping] = await receiver.waitFor(1);
  t.deepEqual({ type: ping!.body.type, webhook: ping!.body.data.webhook_id, event: ping!.headers['x-caraloom-event'] }, { type: 'ping', webhook: id, event: 'ping' });
  t.true(await verify(secret, ping!.raw, String(ping!.headers['x-caraloom-signature'])));
});

test('deliveries carry standard webhooks headers that the reference library verifies', async (t) => {
  const run = await startSandbox(t);
  const receiver = await startReceiver(t);
  const { secret } = await register(run, receiver.url);
  const [ping] = await receiver.waitFor(1);
  const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(ping!.headers[name])]));
  t.deepEqual(new Webhook(secret).verify(ping!.raw, headers), ping!.body);
});

test('a referral fires referral.created then referral.matched, each signed', async (t) => {
  const run = await startSandbox(t);
  const receiver = await startReceiver(t);
  const { secret } = await register(run, receiver.url, ['referral.created', 'referral.matched']);
  await receiver.waitFor(1);
  const { body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  const [, created, matched] = await receiver.waitFor(3);
  const verified = await Promise.all([created!, matched!].map((delivery) => verify(secret, delivery.raw, String(delivery.headers['x-caraloom-signature']))));
  t.deepEqual(
    {
      types: [created!.body.type, matched!.body.type],
      ids: [created!.body.data.id, matched!.body.data.id],
      createdStatus: created!.body.data.status,
      matches: matched!.body.data.matches.length,
      verified,
    },
    { types: ['referral.created', 'referral.matched'], ids: [body.data.id, body.data.id], createdStatus: 'pending', matches: body.data.matches.length, verified: [true, true] },
  );
});

test("a failing delivery holds back only its own patient's later events, which then follow in order", async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const run = await startSandbox(t, { clock, config: { ratePerMinute: 0, ratePerDay: 0 } });
  const receiver = await startReceiver(t);
  await register(run, receiver.url, ['referral.created']);
  await receiver.waitFor(1);
  const refer = async (patient: string) => (await run.call('/v1/discharge-referrals', { method: 'POST', json: { ...sample('referral-full.json'), external_id: undefined, patient: { id: patient } } })).body.data.id as string;
  receiver.answers.push({ status: 503 });
  const first = await refer('demo-a');
  await receiver.waitFor(2);
  const other = await refer('demo-b');
  const second = await refer('demo-a');
  // demo-b is not held behind demo-a's retry; demo-a's second referral is.
  const [, , delivered] = await receiver.waitFor(3);
  const waiting = await eventually(
    async () => (await run.sandbox.deps!.journal.list({ queue: 'sandbox.webhooks', status: 'queued' })).map((item) => ({ attempts: item.attempts, referral: JSON.parse((item.payload as { body: string }).body).data.id })),
    (items) => items.length === 2,
  );
  clock.advance(5_000);
  run.sandbox.pokeWebhooks();
  const all = await receiver.waitFor(5);
  t.deepEqual(
    { delivered: delivered!.body.data.id, waiting: waiting.sort((a, b) => b.attempts - a.attempts), after: all.slice(3).map((delivery) => delivery.body.data.id) },
    { delivered: other, waiting: [{ attempts: 1, referral: first }, { attempts: 0, referral: second }], after: [first, second] },
  );
});

test('an event body has id, type, created_at and data', async (t) => {
  const run = await startSandbox(t);
  const receiver = await startReceiver(t);
  await register(run, receiver.url);
  const [ping] = await receiver.waitFor(1);
  t.deepEqual(Object.keys(ping!.body), ['id', 'type', 'created_at', 'data']);
  t.regex(ping!.body.id, /^evt_/);
});

test('deliveries carry delivery id and timestamp headers', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const run = await startSandbox(t, { clock });
  const receiver = await startReceiver(t);
  await register(run, receiver.url);
  const [ping] = await receiver.waitFor(1);
  t.deepEqual(
    { delivery: /^dlv_[0-9a-f]{24}$/.test(String(ping!.headers['x-caraloom-delivery'])), timestamp: ping!.headers['x-caraloom-timestamp'], id: ping!.headers['webhook-id'] },
    { delivery: true, timestamp: String(Date.UTC(2026, 0, 1, 12) / 1000), id: ping!.body.id },
  );
});

test('a referral fires only the events a webhook chose', async (t) => {
  const run = await startSandbox(t);
  const receiver = await startReceiver(t);
  await register(run, receiver.url, ['referral.matched']);
  await receiver.waitFor(1);
  await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  const [, second] = await receiver.waitFor(2);
  t.is(second!.body.type, 'referral.matched');
});

test('a failed delivery is retried with backoff and then delivered', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const run = await startSandbox(t, { clock });
  const receiver = await startReceiver(t);
  receiver.answers.push({ status: 503 });
  await register(run, receiver.url);
  await receiver.waitFor(1);
  const item = await eventually(
    async () => (await run.sandbox.deps!.journal.list({ queue: 'sandbox.webhooks' }))[0],
    (found) => found?.attempts === 1,
  );
  // Schedule [5 s, …] with jitter ±20 % and random 0.5: due again exactly 5 s later.
  t.is(item!.availableAt, clock.now() + 5_000);
  clock.advance(5_000);
  run.sandbox.pokeWebhooks();
  const [first, again] = await receiver.waitFor(2);
  t.is(again!.body.id, first!.body.id);
});

test('a 429 with retry-after is honoured', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const run = await startSandbox(t, { clock });
  const receiver = await startReceiver(t);
  receiver.answers.push({ status: 429, headers: { 'retry-after': '120' } });
  await register(run, receiver.url);
  await receiver.waitFor(1);
  const item = await eventually(
    async () => (await run.sandbox.deps!.journal.list({ queue: 'sandbox.webhooks' }))[0],
    (found) => found?.attempts === 1,
  );
  // Retry-After 120 s plus up to 10 % spread (random 0.5 → 5 %).
  t.is(item!.availableAt, clock.now() + 126_000);
});

test('a 4xx answer makes the delivery dead at once', async (t) => {
  const run = await startSandbox(t);
  const receiver = await startReceiver(t);
  receiver.answers.push({ status: 401 });
  const { id } = await register(run, receiver.url);
  await receiver.waitFor(1);
  const deliveries = await eventually(
    async () => (await run.call(`/v1/webhooks/${id}/deliveries`)).body.data,
    (list: any[]) => list[0]?.status === 'dead',
  );
  t.deepEqual({ status: deliveries[0].status, error: deliveries[0].last_error }, { status: 'dead', error: 'endpoint answered 401' });
});

test('retries stop after the configured schedule and the delivery is kept dead', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const run = await startSandbox(t, { clock, config: { webhooks: { retrySchedule: [1] } } });
  const receiver = await startReceiver(t);
  receiver.answers.push({ status: 500 }, { status: 500 });
  await register(run, receiver.url);
  await receiver.waitFor(1);
  await eventually(async () => (await run.sandbox.deps!.journal.list({ queue: 'sandbox.webhooks' }))[0], (found) => found?.attempts === 1);
  clock.advance(2_000);
  run.sandbox.pokeWebhooks();
  await receiver.waitFor(2);
  const item = await eventually(async () => (await run.sandbox.deps!.journal.list({ queue: 'sandbox.webhooks' }))[0], (found) => found?.status === 'dead');
  t.deepEqual({ status: item!.status, attempts: item!.attempts }, { status: 'dead', attempts: 2 });
});

test('the deliveries of a webhook are listed without bodies', async (t) => {
  const run = await startSandbox(t);
  const receiver = await startReceiver(t);
  const { id } = await register(run, receiver.url);
  await receiver.waitFor(1);
  const list = await eventually(async () => (await run.call(`/v1/webhooks/${id}/deliveries`)).body.data, (items: any[]) => items[0]?.status === 'delivered');
  t.deepEqual({ type: list[0].event_type, status: list[0].status, attempts: list[0].attempts }, { type: 'ping', status: 'delivered', attempts: 1 });
});

test('deleting a webhook cancels its waiting deliveries', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const run = await startSandbox(t, { clock });
  const receiver = await startReceiver(t);
  receiver.answers.push({ status: 503 });
  const { id } = await register(run, receiver.url);
  await receiver.waitFor(1);
  await eventually(async () => (await run.sandbox.deps!.journal.list({ queue: 'sandbox.webhooks' }))[0], (found) => found?.attempts === 1);
  await run.call(`/v1/webhooks/${id}`, { method: 'DELETE' });
  const counts = await run.sandbox.deps!.journal.counts('sandbox.webhooks');
  t.deepEqual({ queued: counts.queued, cancelled: counts.cancelled }, { queued: 0, cancelled: 1 });
});

test('a key may hold only the configured number of webhooks', async (t) => {
  const run = await startSandbox(t, { config: { webhooks: { maxPerKey: 1 } } });
  const receiver = await startReceiver(t);
  await register(run, receiver.url);
  const { status, body } = await run.call('/v1/webhooks', { method: 'POST', json: { url: receiver.url } });
  t.deepEqual({ status, code: body.error.code }, { status: 409, code: 'WEBHOOK_LIMIT' });
});

test('a registration without a url answers 422 naming it', async (t) => {
  const run = await startSandbox(t);
  const { status, body } = await run.call('/v1/webhooks', { method: 'POST', json: { events: ['ping'] } });
  t.deepEqual({ status, fields: body.error.details.map((d: any) => d.field) }, { status: 422, fields: ['url'] });
});

test('webhooks of another key are neither listed nor deletable', async (t) => {
  const run = await startSandbox(t);
  const receiver = await startReceiver(t);
  const { id } = await register(run, receiver.url);
  const other = `Bearer ${await run.sandbox.issueKey()}`;
  const list = await run.call('/v1/webhooks', { headers: { authorization: other } });
  const removed = await run.call(`/v1/webhooks/${id}`, { method: 'DELETE', headers: { authorization: other } });
  t.deepEqual({ list: list.body.data, status: removed.status }, { list: [], status: 404 });
});
