/**
 * The `blocked` heads rule on PostgreSQL (migration v4, postgres-heads.ts):
 * the earliest queued item of every order key stays claimable through
 * upgrades, repeats, replays, concurrent completions and an older instance.
 */
import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { migrationSql, postgresMigrations } from '../../core/journal/postgres-schema.js';
import type { Journal } from '../../core/journal/types.js';
import { freshSchema, openTestJournal, sql } from '../helpers/postgres.js';

/** Claims and completes everything due, one claim at a time; returns the payloads in delivery order. */
async function drainAll(journal: Journal, queue: string, limit = 10): Promise<unknown[]> {
  const delivered: unknown[] = [];
  for (;;) {
    const items = await journal.claim({ queue, limit, leaseMs: 60_000 });
    if (items.length === 0) return delivered;
    for (const item of items) delivered.push(item.payload);
    await journal.completeMany(items.map((item) => ({ id: item.id, options: { result: 'ok' } })));
  }
}

const byKey = (payloads: unknown[]) => {
  const keys = new Map<string, number[]>();
  for (const payload of payloads as Array<{ key: string; n: number }>) keys.set(payload.key, [...(keys.get(payload.key) ?? []), payload.n]);
  return keys;
};

test('a v3 schema with queued items of several keys is upgraded: only heads are claimable, and every key drains in order', async (t) => {
  const schema = freshSchema(t);
  const S = `"${schema}"`;
  await sql(`CREATE SCHEMA ${S}`);
  await sql(`CREATE TABLE ${S}.journal_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  for (const [index, migration] of postgresMigrations.slice(0, 3).entries()) {
    await sql(migrationSql(migration, schema));
    await sql(`INSERT INTO ${S}.journal_migrations (version) VALUES ($1)`, [index + 1]);
  }
  const insert = `INSERT INTO ${S}.journal_items (queue, key, order_key, status, payload, available_at, created_at, updated_at) VALUES ('q', $1, $2, $3, $4, 0, 0, 0)`;
  // Keys interleaved, a delivered item first on key a (not a head), a keyless item.
  await sql(insert, ['done', 'a', 'delivered', JSON.stringify({ key: 'a', n: -1 })]);
  for (let n = 0; n < 12; n += 1) await sql(insert, [`k${n}`, ['a', 'b', 'c'][n % 3], 'queued', JSON.stringify({ key: ['a', 'b', 'c'][n % 3], n })]);
  await sql(insert, ['loose', null, 'queued', JSON.stringify({ key: '-', n: 0 })]);

  const journal = await openTestJournal(t, schema, new ManualClock(1_000));
  const heads = await sql<{ key: string }>(`SELECT key FROM ${S}.journal_items WHERE status = 'queued' AND NOT blocked ORDER BY id`);
  t.deepEqual(heads.map((row) => row.key), ['k0', 'k1', 'k2', 'loose'], 'one head per key, and the keyless item');
  const first = await journal.claim<{ key: string; n: number }>({ queue: 'q', limit: 10, leaseMs: 60_000 });
  t.deepEqual(first.map((item) => item.payload.n).sort(), [0, 0, 1, 2]);
  await journal.completeMany(first.map((item) => ({ id: item.id })));
  const rest = await drainAll(journal, 'q');
  const order = byKey(rest);
  t.deepEqual(order.get('a'), [3, 6, 9]);
  t.deepEqual(order.get('b'), [4, 7, 10]);
  t.deepEqual(order.get('c'), [5, 8, 11]);
  t.like(await journal.counts('q'), { queued: 0, delivered: 14 });
});

test('a repeated key first in its batch does not leave the next item of its order key blocked', async (t) => {
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock(1_000));
  await journal.enqueue({ queue: 'q', key: 'one', orderKey: 'p', payload: 1 });
  t.deepEqual(await drainAll(journal, 'q'), [1]);
  const results = await journal.enqueueMany([
    { queue: 'q', key: 'one', orderKey: 'p', payload: 1 },
    { queue: 'q', key: 'two', orderKey: 'p', payload: 2 },
    { queue: 'q', key: 'three', orderKey: 'p', payload: 3 },
  ]);
  t.deepEqual(results.map((result) => result.created), [false, true, true]);
  t.deepEqual(await drainAll(journal, 'q'), [2, 3]);
});

test('a replayed item and the queued items of its order key are delivered one at a time, each once', async (t) => {
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock(1_000));
  await journal.enqueueMany([1, 2, 3].map((n) => ({ queue: 'q', key: `k${n}`, orderKey: 'p', payload: n })));
  const [first] = await journal.claim({ queue: 'q', limit: 10, leaseMs: 60_000 });
  await journal.bury(first!.id, 'refused');
  t.true(await journal.replay(first!.id));
  const delivered: unknown[] = [];
  for (;;) {
    const items = await journal.claim({ queue: 'q', limit: 10, leaseMs: 60_000 });
    if (items.length === 0) break;
    t.is(items.length, 1, 'one item of the key at a time');
    delivered.push(items[0]!.payload);
    await journal.complete(items[0]!.id);
  }
  t.deepEqual([...delivered].sort(), [1, 2, 3]);
  t.like(await journal.counts('q'), { queued: 0, delivered: 3 });
});

test('completions racing enqueues of the same order keys leave no key blocked behind nothing', async (t) => {
  const schema = freshSchema(t);
  const clock = new ManualClock(1_000);
  const [a, b] = await Promise.all([openTestJournal(t, schema, clock), openTestJournal(t, schema, clock)]);
  const keys = 5;
  const rounds = 40;
  let delivered = 0;
  // Each round enqueues on both instances while the other finishes what it claimed.
  for (let round = 0; round < rounds; round += 1) {
    const claimed = await (round % 2 ? a : b).claim({ queue: 'q', limit: keys, leaseMs: 60_000 });
    await Promise.all([
      (round % 2 ? a : b).completeMany(claimed.map((item) => ({ id: item.id }))),
      a.enqueueMany(Array.from({ length: keys }, (_, k) => ({ queue: 'q', key: `a${round}-${k}`, orderKey: `p${k}`, payload: { key: `p${k}`, n: round * 2 } }))),
      b.enqueueMany(Array.from({ length: keys }, (_, k) => ({ queue: 'q', key: `b${round}-${k}`, orderKey: `p${k}`, payload: { key: `p${k}`, n: round * 2 + 1 } }))),
    ]);
    delivered += claimed.length;
  }
  delivered += (await drainAll(a, 'q', keys)).length;
  t.is(delivered, keys * rounds * 2, 'every item claimed, none twice');
  t.like(await a.counts('q'), { queued: 0 });
});

test('a key left blocked behind nothing by an older instance is repaired by nextDueAt', async (t) => {
  const schema = freshSchema(t);
  const journal = await openTestJournal(t, schema, new ManualClock(1_000));
  await journal.enqueueMany([1, 2].map((n) => ({ queue: 'q', key: `k${n}`, orderKey: 'p', payload: n })));
  // What a release before v4 does on completion: the status changes, nothing is unblocked.
  await sql(`UPDATE "${schema}".journal_items SET status = 'delivered' WHERE key = 'k1'`);
  t.deepEqual(await journal.claim({ queue: 'q', limit: 10, leaseMs: 60_000 }), [], 'stuck before the repair');
  t.is(await journal.nextDueAt('q'), 1_000);
  t.deepEqual((await journal.claim({ queue: 'q', limit: 10, leaseMs: 60_000 })).map((item) => item.payload), [2]);
});
