import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { StorageUnavailableError } from '../../core/errors.js';
import { freshSchema, openTestJournal, sql } from '../helpers/postgres.js';

test('enqueues issued together are committed in one transaction', async (t) => {
  const schema = freshSchema(t);
  const journal = await openTestJournal(t, schema, new ManualClock());
  const results = await Promise.all(Array.from({ length: 200 }, (_, n) => journal.enqueue({ queue: 'q', key: `k${n}`, payload: n })));
  t.true(results.every((result) => result.created));
  const [row] = await sql<{ n: string }>(`SELECT count(DISTINCT xmin::text) AS n FROM "${schema}".journal_items`);
  t.is(Number(row!.n), 1);
});

test('items of one batch take ids in the order they were enqueued', async (t) => {
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock());
  const results = await Promise.all(Array.from({ length: 50 }, (_, n) => journal.enqueue({ queue: 'q', orderKey: 'p', payload: n })));
  const ids = results.map((result) => result.item.id);
  t.deepEqual(ids, [...ids].sort((x, y) => x - y));
});

test('a refused input fails only its own enqueue, not the rest of its batch', async (t) => {
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock());
  // jsonb refuses \u0000, so PostgreSQL rejects this row inside the shared INSERT.
  const outcomes = await Promise.allSettled([
    journal.enqueue({ queue: 'q', key: 'good-1', payload: 1 }),
    journal.enqueue({ queue: 'q', key: 'bad', payload: 2, meta: { note: 'a\u0000b' } }),
    journal.enqueue({ queue: 'q', key: 'good-2', payload: 3 }),
  ]);
  t.deepEqual(outcomes.map((outcome) => outcome.status), ['fulfilled', 'rejected', 'fulfilled']);
  t.false((outcomes[1] as PromiseRejectedResult).reason instanceof StorageUnavailableError, 'a bad input is not an outage');
  t.is((await journal.counts('q')).queued, 2);
});

test('enqueueMany stores nothing when one of its items is refused', async (t) => {
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock());
  await t.throwsAsync(journal.enqueueMany([{ queue: 'q', key: 'ok', payload: 1 }, { queue: 'q', key: 'bad', payload: 2, meta: { note: '\u0000' } }]));
  t.is(await journal.getByKey('q', 'ok'), undefined);
});

test('a NUL character in a key is refused before it reaches the database', async (t) => {
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock());
  const error = await t.throwsAsync(journal.enqueue({ queue: 'q', key: 'a\u0000b', payload: 1 }));
  t.is((error as { code?: string }).code, 'JOURNAL_INPUT_INVALID');
});
