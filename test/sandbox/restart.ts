import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { call, eventually, sample, startReceiver, startSandbox } from './_harness.js';

test('a restart keeps keys, referrals and undelivered webhooks, which are then delivered', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const receiver = await startReceiver(t);
  // The receiver is "down": the ping and created wait for their retry, matched waits behind created (one patient, in order).
  receiver.answers.push({ status: 503 }, { status: 503 });
  const first = await startSandbox(t, { clock, manual: true });
  await first.call('/v1/webhooks', { method: 'POST', json: { url: receiver.url } });
  const created = await first.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  await receiver.waitFor(2);
  await eventually(async () => (await first.sandbox.deps!.journal.counts('sandbox.webhooks')).queued, (queued) => queued === 3);
  await first.sandbox.stop();

  const second = await startSandbox(t, { clock, dataDir: first.dataDir });
  const read = await call(second.url, first.key, `/v1/discharge-referrals/${created.body.data.id}`);
  t.deepEqual({ status: read.status, id: read.body.data.id }, { status: 200, id: created.body.data.id });
  clock.advance(10 * 60_000);
  second.sandbox.pokeWebhooks();
  const counts = await eventually(async () => second.sandbox.deps!.journal.counts('sandbox.webhooks'), (c) => c.delivered === 3);
  t.deepEqual({ delivered: counts.delivered, queued: counts.queued }, { delivered: 3, queued: 0 });
  t.deepEqual(new Set(receiver.received.slice(-3).map((delivery) => delivery.body.type)), new Set(['ping', 'referral.created', 'referral.matched']));
});

test('events of a referral stored just before a crash are enqueued at the next start', async (t) => {
  const receiver = await startReceiver(t);
  const first = await startSandbox(t, { manual: true });
  await first.call('/v1/webhooks', { method: 'POST', json: { url: receiver.url, events: ['referral.created'] } });
  const made = await first.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  await receiver.waitFor(2);
  await first.sandbox.stop();
  // As if the process died after the store write and before the journal commit.
  const file = path.join(first.dataDir, 'sandbox.json');
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const copy = { ...data.referrals[made.body.data.id], id: 'ref_crashed000000000000000' };
  data.referrals[copy.id] = copy;
  data.pendingEvents = [copy.id];
  writeFileSync(file, JSON.stringify(data));

  await startSandbox(t, { dataDir: first.dataDir });
  const [, , crashed] = await receiver.waitFor(3);
  t.deepEqual({ type: crashed!.body.type, id: crashed!.body.data.id }, { type: 'referral.created', id: 'ref_crashed000000000000000' });
});

test('events already enqueued are not sent twice when publishing is repeated', async (t) => {
  const receiver = await startReceiver(t);
  const first = await startSandbox(t, { manual: true });
  await first.call('/v1/webhooks', { method: 'POST', json: { url: receiver.url, events: ['referral.created'] } });
  const made = await first.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  await receiver.waitFor(2);
  await first.sandbox.stop();
  const file = path.join(first.dataDir, 'sandbox.json');
  const data = JSON.parse(readFileSync(file, 'utf8'));
  data.pendingEvents = [made.body.data.id];
  writeFileSync(file, JSON.stringify(data));

  const second = await startSandbox(t, { dataDir: first.dataDir });
  const counts = await second.sandbox.deps!.journal.counts('sandbox.webhooks');
  t.is(counts.delivered + counts.queued, 2);
});
