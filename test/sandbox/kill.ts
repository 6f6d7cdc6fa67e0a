/**
 * The sandbox SIGKILLed in the middle of a burst of referrals (issue #16 aim 5:
 * a 201 rests on the store's change log, not on a rewritten sandbox.json).
 * After a restart on the same folder: every answered referral reads back,
 * a request cut off by the kill and sent again with its Idempotency-Key gets
 * one referral, and each referral's `referral.created` reaches the webhook
 * under one event id — none lost, none made twice.
 */
import path from 'node:path';
import test from 'ava';
import { Pool } from 'undici';
import { startChild } from '../../bench/lib/child.js';
import { tempDir } from '../helpers/temp.js';
import { eventuallyValue } from '../helpers/eventually.js';
import { startReceiver } from './_harness.js';

const body = (i: number) => JSON.stringify({ primary_diagnosis: 'I50.9', care_type: 'home health', zip: ['78756', '10001', '60614', '94110'][i % 4], external_id: `KILL:${i}`, patient: { id: `p-${i % 25}` } });

test('a sandbox killed mid-burst keeps every answered referral, and each referral fires referral.created once', async (t) => {
  t.timeout(180_000);
  const dataDir = path.join(tempDir(t, 'caraloom-sandbox-kill-'), 'sandbox');
  const receiver = await startReceiver(t);
  // A delivery in flight at the kill is tried again once its lease (webhook timeout + 30 s) runs out.
  const start = () => startChild<{ url: string; key: string }>('sandbox', { dataDir, sandbox: { maxReferrals: 1000, webhooks: { timeout: '1s' } } }, { timeoutMs: 60_000 });
  const first = await start();
  t.teardown(() => first.kill());
  const key = first.info.key;
  const post = (pool: Pool, path_: string, payload: string, idempotencyKey?: string) =>
    pool.request({ path: path_, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }) }, body: payload });
  const pool = new Pool(first.info.url, { connections: 16 });
  await (await post(pool, '/v1/webhooks', JSON.stringify({ url: receiver.url, events: ['referral.created'] }))).body.text();

  // 16 lanes send 600 referrals; the sandbox is killed once 150 have been answered.
  const answered = new Map<number, string>();
  let next = 0;
  let killed: Promise<void> | undefined;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < 600 && killed === undefined) {
        const i = next++;
        try {
          const answer = await post(pool, '/v1/discharge-referrals', body(i), `kill-${i}`);
          const json = (await answer.body.json()) as { data?: { id: string } };
          if (answer.statusCode === 201 && json.data !== undefined) answered.set(i, json.data.id);
        } catch {
          // cut off by the kill: sent again below
        }
        if (answered.size >= 150 && killed === undefined) killed = first.kill();
      }
    }),
  );
  await killed;
  await pool.destroy();

  const second = await start();
  t.teardown(() => second.stop());
  const again = new Pool(second.info.url, { connections: 8 });
  t.teardown(() => again.destroy());
  // Every request of the burst again, with its key: the answered ones come back as they were, the rest are made once.
  const ids = new Map<number, string>();
  const sent = next;
  for (let i = 0; i < sent; i++) {
    const answer = await post(again, '/v1/discharge-referrals', body(i), `kill-${i}`);
    ids.set(i, ((await answer.body.json()) as { data: { id: string } }).data.id);
  }
  const changed = [...answered].filter(([i, id]) => ids.get(i) !== id).map(([i]) => i);
  const created = await eventuallyValue(
    async () => new Map(receiver.received.filter((delivery) => delivery.body.type === 'referral.created').map((delivery) => [delivery.body.id as string, delivery.body.data.id as string])),
    (events) => new Set(events.values()).size >= new Set(ids.values()).size,
    90_000,
  );
  const eventsPerReferral = new Map<string, number>();
  for (const referral of created.values()) eventsPerReferral.set(referral, (eventsPerReferral.get(referral) ?? 0) + 1);
  t.deepEqual(
    {
      killedAfter: answered.size >= 150,
      answeredChanged: changed,
      distinctReferrals: new Set(ids.values()).size,
      withoutEvent: [...ids.values()].filter((id) => !eventsPerReferral.has(id)).length,
      withTwoEvents: [...eventsPerReferral.values()].filter((count) => count > 1).length,
      eventsForUnknownReferrals: [...eventsPerReferral.keys()].filter((id) => ![...ids.values()].includes(id)).length,
    },
    { killedAfter: true, answeredChanged: [], distinctReferrals: sent, withoutEvent: 0, withTwoEvents: 0, eventsForUnknownReferrals: 0 },
  );
});
