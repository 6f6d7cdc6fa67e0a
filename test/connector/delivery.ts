/**
 * Delivery to the Discharge API, against a real HTTP stand-in that records
 * what arrives: outages retried on the schedule (timed with a ManualClock),
 * 429 + Retry-After honoured, permanent 4xx kept as dead letters with the
 * answer, and sandbox keys never receiving direct identifiers.
 */
import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { listenHttp } from '../../core/http/listen.js';
import type { JournalItem } from '../../core/journal/types.js';
import type { OutboxPayload } from '../../connector/outbox.js';
import { sampleFile } from '../helpers/corpus.js';
import { eventually, mllpClient, readAck, startApiStandIn, startConnector, type ConnectorHarness } from '../helpers/connector.js';

async function send(t: Parameters<typeof mllpClient>[0], harness: ConnectorHarness, ...names: string[]): Promise<void> {
  const client = mllpClient(t, harness.mllpPort);
  for (const name of names) t.is(readAck(await client.send(sampleFile(`hl7/${name}`))).code, 'AA', name);
}

async function outbox(harness: ConnectorHarness): Promise<JournalItem<OutboxPayload>[]> {
  return harness.connector.journal!.list<OutboxPayload>({ queue: 'connector.outbox', meta: { action: 'refer' }, order: 'asc' });
}

test('a delivered referral keeps the api referral id and matches', async (t) => {
  const api = await startApiStandIn(t);
  const harness = await startConnector(t, { apiUrl: api.url });
  await send(t, harness, 'adt-a03-home-health.hl7');
  await eventually(async () => (await outbox(harness))[0]?.status === 'delivered');
  const [item] = await outbox(harness);
  t.like(item!.result, { referralId: 'ref_1', status: 'matched', matches: [{ clinician_id: 'clin_1' }], replayed: false });
  t.is(api.requests[0]!.path, '/v1/discharge-referrals');
  t.like(api.requests[0]!.body, { primary_diagnosis: 'I50.9', care_type: 'Home Health', zip: '78756', discharge_date: '2026-11-20' });
});

test('each request carries an idempotency key derived from msh-4 and msh-10', async (t) => {
  const api = await startApiStandIn(t);
  const harness = await startConnector(t, { apiUrl: api.url });
  await send(t, harness, 'adt-a03-home-health.hl7');
  await eventually(() => api.requests.length === 1);
  const [item] = await outbox(harness);
  t.regex(String(api.requests[0]!.headers['idempotency-key']), /^hl7-[0-9a-f]{40}$/);
  t.is(api.requests[0]!.headers['idempotency-key'], item!.payload.idempotencyKey);
  t.is(api.requests[0]!.headers.authorization, 'Bearer clk_live_test_key');
});

test('an api that is down and comes back gets every message, on the backoff schedule', async (t) => {
  const clock = new ManualClock();
  // Reserve a port, then free it: the API is down (connection refused).
  const placeholder = await listenHttp((_req, res) => res.end(), '127.0.0.1', 0);
  const port = placeholder.port;
  await placeholder.close(0);
  const harness = await startConnector(t, { apiUrl: `http://127.0.0.1:${port}`, clock });
  await send(t, harness, 'adt-a03-home-health.hl7', 'adt-a03-skilled-nursing.hl7', 'adt-a03-hospice-home.hl7');
  const failedOnce = async () => (await outbox(harness)).every((item) => item.attempts === 1 && item.status === 'queued');
  await eventually(failedOnce);
  const start = clock.now();
  for (const item of await outbox(harness)) {
    t.is(item.availableAt, start + 5_000, 'first retry after 5 s');
    t.truthy(item.lastError);
  }
  clock.advance(4_000);
  await harness.connector.settle();
  t.true((await outbox(harness)).every((item) => item.attempts === 1), 'nothing is tried before its time');
  clock.advance(1_000);
  harness.connector.poke();
  await eventually(async () => (await outbox(harness)).every((item) => item.attempts === 2));
  for (const item of await outbox(harness)) t.is(item.availableAt, clock.now() + 60_000, 'second retry after 60 s');

  // The API comes back on the same address.
  const api = await startApiStandIn(t, port);
  clock.advance(60_000);
  harness.connector.poke();
  await eventually(async () => (await outbox(harness)).every((item) => item.status === 'delivered'));
  t.is(api.requests.length, 3, 'each message delivered once');
  t.is(new Set(api.requests.map((request) => request.headers['idempotency-key'])).size, 3);
  t.is((await harness.connector.journal!.attempts((await outbox(harness))[0]!.id)).length, 3);
});

test('a 429 waits for retry-after without using up the retry schedule', async (t) => {
  const clock = new ManualClock();
  const api = await startApiStandIn(t);
  api.respond = (_request, index) => (index === 0 ? [429, { error: { code: 'RATE_LIMITED' } }, { 'Retry-After': '120' }] : [201, { data: { id: 'ref_ok', matches: [] } }]);
  const harness = await startConnector(t, { apiUrl: api.url, clock });
  await send(t, harness, 'adt-a03-home-health.hl7');
  await eventually(async () => (await outbox(harness))[0]?.lastError === 'HTTP 429: rate limited');
  const [waiting] = await outbox(harness);
  t.is(waiting!.attempts, 0, 'a rate-limit wait is not a failed attempt');
  t.true(waiting!.availableAt >= clock.now() + 120_000, 'not before Retry-After');
  clock.advance(60_000);
  await harness.connector.settle();
  t.is(api.requests.length, 1, 'nothing sent inside the window');
  clock.advance(70_000);
  harness.connector.poke();
  await eventually(async () => (await outbox(harness))[0]?.status === 'delivered');
  t.is(api.requests.length, 2);
});

test('the rate object pauses delivery before a 429 is needed', async (t) => {
  const clock = new ManualClock();
  const api = await startApiStandIn(t);
  const resetAt = new Date(clock.now() + 30_000).toISOString();
  api.respond = (_request, index) => [201, { data: { id: `ref_${index}` }, rate: { minute: { limit: 1, remaining: 0, reset_at: resetAt }, day: { limit: 100, remaining: 90, reset_at: resetAt } } }];
  const harness = await startConnector(t, { apiUrl: api.url, clock });
  await send(t, harness, 'adt-a03-home-health.hl7');
  // Delivered = its answer (and rate object) has been read.
  await eventually(async () => (await outbox(harness))[0]?.status === 'delivered');
  await send(t, harness, 'adt-a03-skilled-nursing.hl7');
  await eventually(async () => (await outbox(harness))[1]?.lastError?.startsWith('rate limit window exhausted') === true);
  t.is(api.requests.length, 1, 'the second waits for the window');
  clock.advance(40_000);
  harness.connector.poke();
  await eventually(() => api.requests.length === 2);
  t.is(api.requests.length, 2);
});

test('a 4xx answer is a dead letter with the answer kept', async (t) => {
  const api = await startApiStandIn(t);
  api.respond = () => [422, { error: { code: 'REFERRAL_INVALID', message: 'zip: unknown US ZIP code' } }];
  const harness = await startConnector(t, { apiUrl: api.url });
  await send(t, harness, 'adt-a03-home-health.hl7');
  await eventually(async () => (await outbox(harness))[0]?.status === 'dead');
  const [item] = await outbox(harness);
  t.is(item!.lastError, 'HTTP 422 REFERRAL_INVALID');
  t.like(item!.result, { httpStatus: 422, answer: { error: { code: 'REFERRAL_INVALID' } } });
  t.is(api.requests.length, 1, 'not retried');
});

test('a sandbox key never receives names or mrns', async (t) => {
  const api = await startApiStandIn(t);
  const harness = await startConnector(t, { apiUrl: api.url, apiKey: 'clk_sandbox_0123456789abcdef' });
  await send(t, harness, 'adt-a03-home-health.hl7');
  await eventually(() => api.requests.length === 1);
  const body = api.requests[0]!.body;
  t.is(body.patient.display, undefined);
  t.regex(body.patient.id, /^p[0-9a-f]{16}$/);
  t.false(JSON.stringify(body).includes('MRN10048213'));
  t.false(JSON.stringify(body).includes('Delgado'));
});

test('a sandbox key receives identifiers only when config allows it', async (t) => {
  const api = await startApiStandIn(t);
  const harness = await startConnector(t, { apiUrl: api.url, apiKey: 'clk_sandbox_0123456789abcdef', config: { api: { sendIdentifiersToSandbox: true } } });
  await send(t, harness, 'adt-a03-home-health.hl7');
  await eventually(() => api.requests.length === 1);
  t.like(api.requests[0]!.body, { patient: { id: 'MRN10048213', display: 'Maria Delgado' } });
});

test('an api that does not answer in time is retried with the same key', async (t) => {
  const clock = new ManualClock();
  const api = await startApiStandIn(t);
  api.delayMs = (index) => (index === 0 ? 1_500 : 0);
  const harness = await startConnector(t, { apiUrl: api.url, clock, config: { api: { timeoutMs: 300 } } });
  await send(t, harness, 'adt-a03-home-health.hl7');
  await eventually(async () => (await outbox(harness))[0]?.attempts === 1);
  t.regex((await outbox(harness))[0]!.lastError!, /timeout/i);
  clock.advance(5_000);
  harness.connector.poke();
  await eventually(async () => (await outbox(harness))[0]?.status === 'delivered');
  t.is(api.requests[0]!.headers['idempotency-key'], api.requests[1]!.headers['idempotency-key']);
});

test('a 5xx answer is retried', async (t) => {
  const clock = new ManualClock();
  const api = await startApiStandIn(t);
  api.respond = (_request, index) => (index === 0 ? [502, { error: { code: 'BAD_GATEWAY' } }] : [201, { data: { id: 'ref_2' } }]);
  const harness = await startConnector(t, { apiUrl: api.url, clock });
  await send(t, harness, 'adt-a03-home-health.hl7');
  await eventually(async () => (await outbox(harness))[0]?.lastError === 'HTTP 502');
  clock.advance(5_000);
  harness.connector.poke();
  await eventually(async () => (await outbox(harness))[0]?.status === 'delivered');
  t.like((await outbox(harness))[0]!.result, { referralId: 'ref_2' });
});
