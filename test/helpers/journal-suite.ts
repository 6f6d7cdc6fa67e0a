import test, { type ExecutionContext } from 'ava';
import { ManualClock } from '../../core/clock.js';
import type { Journal } from '../../core/journal/types.js';
import { eventually } from './eventually.js';

/**
 * The behaviour every Journal implementation must show. Each store's test
 * file calls this with a factory that opens a fresh, empty journal.
 */
export function journalSuite(name: string, open: (t: ExecutionContext, clock: ManualClock) => Promise<Journal>): void {
  const withJournal = async (t: ExecutionContext) => {
    const clock = new ManualClock();
    const journal = await open(t, clock);
    t.teardown(() => journal.close());
    return { journal, clock };
  };

  test(`${name}: enqueue returns the committed item, a repeated key returns the first`, async (t) => {
    const { journal } = await withJournal(t);
    const first = await journal.enqueue({ queue: 'q', key: 'FAC|123', payload: { n: 1 }, meta: { controlId: '123' } });
    const again = await journal.enqueue({ queue: 'q', key: 'FAC|123', payload: { n: 2 } });
    t.true(first.created);
    t.false(again.created);
    t.is(again.item.id, first.item.id);
    t.deepEqual(again.item.payload, { n: 1 });
    t.deepEqual(first.item.meta, { controlId: '123' });
    t.is((await journal.counts('q')).queued, 1);
  });

  test(`${name}: the same key in another queue is a different item`, async (t) => {
    const { journal } = await withJournal(t);
    const a = await journal.enqueue({ queue: 'a', key: 'k', payload: 1 });
    const b = await journal.enqueue({ queue: 'b', key: 'k', payload: 2 });
    t.true(b.created);
    t.not(a.item.id, b.item.id);
  });

  test(`${name}: concurrent enqueues of one key create one item`, async (t) => {
    const { journal } = await withJournal(t);
    const results = await Promise.all(Array.from({ length: 20 }, () => journal.enqueue({ queue: 'q', key: 'same', payload: {} })));
    t.is(results.filter((result) => result.created).length, 1);
    t.is(new Set(results.map((result) => result.item.id)).size, 1);
  });

  test(`${name}: enqueueMany is all or nothing and dedupes by key`, async (t) => {
    const { journal } = await withJournal(t);
    await journal.enqueue({ queue: 'q', key: 'x', payload: 0 });
    const results = await journal.enqueueMany([
      { queue: 'q', key: 'x', payload: 1 },
      { queue: 'r', key: 'y', payload: 2 },
    ]);
    t.deepEqual(results.map((result) => result.created), [false, true]);
    t.is((await journal.list({})).length, 2);
  });

  test(`${name}: claims are in enqueue order and leased`, async (t) => {
    const { journal, clock } = await withJournal(t);
    for (let n = 0; n < 5; n += 1) await journal.enqueue({ queue: 'q', payload: n });
    const claimed = await journal.claim<number>({ queue: 'q', limit: 3, leaseMs: 1_000 });
    t.deepEqual(claimed.map((item) => item.payload), [0, 1, 2]);
    const next = await journal.claim<number>({ queue: 'q', limit: 10, leaseMs: 1_000 });
    t.deepEqual(next.map((item) => item.payload), [3, 4]);
    t.deepEqual(await journal.claim({ queue: 'q', limit: 10, leaseMs: 1_000 }), []);
    clock.advance(1_000);
    t.is((await journal.claim({ queue: 'q', limit: 10, leaseMs: 1_000 })).length, 5, 'expired leases are claimable again');
  });

  test(`${name}: one order key is claimed one item at a time, in order`, async (t) => {
    const { journal } = await withJournal(t);
    await journal.enqueue({ queue: 'q', orderKey: 'p1', payload: 'p1-a' });
    await journal.enqueue({ queue: 'q', orderKey: 'p2', payload: 'p2-a' });
    await journal.enqueue({ queue: 'q', orderKey: 'p1', payload: 'p1-b' });
    const first = await journal.claim<string>({ queue: 'q', limit: 10, leaseMs: 60_000 });
    t.deepEqual(first.map((item) => item.payload), ['p1-a', 'p2-a']);
    await journal.complete(first[0]!.id, { result: { referral: 'r1' } });
    const second = await journal.claim<string>({ queue: 'q', limit: 10, leaseMs: 60_000 });
    t.deepEqual(second.map((item) => item.payload), ['p1-b']);
  });

  test(`${name}: a retry waits until its time and holds back its order key`, async (t) => {
    const { journal, clock } = await withJournal(t);
    const a = await journal.enqueue({ queue: 'q', orderKey: 'p', payload: 'a' });
    await journal.enqueue({ queue: 'q', orderKey: 'p', payload: 'b' });
    await journal.claim({ queue: 'q', limit: 1, leaseMs: 60_000 });
    await journal.retry(a.item.id, clock.now() + 5_000, 'HTTP 503', { attempt: { at: clock.now(), ok: false, status: 503 } });
    t.deepEqual(await journal.claim({ queue: 'q', limit: 10, leaseMs: 60_000 }), []);
    t.is(await journal.nextDueAt('q'), clock.now() + 5_000);
    clock.advance(5_000);
    const due = await journal.claim<string>({ queue: 'q', limit: 10, leaseMs: 60_000 });
    t.deepEqual(due.map((item) => item.payload), ['a']);
    t.is(due[0]!.attempts, 1);
    t.is(due[0]!.lastError, 'HTTP 503');
    const attempts = await journal.attempts(a.item.id);
    t.is(attempts.length, 1);
    t.is(attempts[0]!.status, 503);
  });

  test(`${name}: a buried item lets its order key go on and can be replayed`, async (t) => {
    const { journal } = await withJournal(t);
    const a = await journal.enqueue({ queue: 'q', orderKey: 'p', payload: 'a' });
    await journal.enqueue({ queue: 'q', orderKey: 'p', payload: 'b' });
    await journal.claim({ queue: 'q', limit: 1, leaseMs: 60_000 });
    await journal.bury(a.item.id, 'HTTP 422', { result: { error: 'invalid zip' }, attempt: { at: 1, ok: false, status: 422, response: '{"error":{}}' } });
    const dead = await journal.get(a.item.id);
    t.is(dead?.status, 'dead');
    t.deepEqual(dead?.result, { error: 'invalid zip' });
    t.deepEqual((await journal.claim<string>({ queue: 'q', limit: 10, leaseMs: 60_000 })).map((item) => item.payload), ['b']);
    t.true(await journal.replay(a.item.id));
    t.false(await journal.replay(a.item.id), 'a queued item is not replayed twice');
    t.is((await journal.get(a.item.id))?.status, 'queued');
  });

  test(`${name}: record-only statuses are stored terminal and never claimed`, async (t) => {
    const { journal } = await withJournal(t);
    await journal.enqueue({ queue: 'q', key: 'f', status: 'filtered', payload: {} });
    t.deepEqual(await journal.claim({ queue: 'q', limit: 10, leaseMs: 1_000 }), []);
    t.is((await journal.counts('q')).filtered, 1);
  });

  test(`${name}: cancel stops a waiting item but not a leased one`, async (t) => {
    const { journal } = await withJournal(t);
    const a = await journal.enqueue({ queue: 'q', payload: 'a' });
    const b = await journal.enqueue({ queue: 'q', payload: 'b' });
    await journal.claim({ queue: 'q', limit: 1, leaseMs: 60_000 });
    t.false(await journal.cancel(a.item.id, 'A13'));
    t.true(await journal.cancel(b.item.id, 'A13'));
    t.is((await journal.get(b.item.id))?.status, 'cancelled');
  });

  test(`${name}: list filters by status, meta and prefix, and pages`, async (t) => {
    const { journal } = await withJournal(t);
    for (let n = 0; n < 5; n += 1) await journal.enqueue({ queue: n % 2 ? 'sub.a' : 'sub.b', payload: n, meta: { controlId: `C${n}`, even: n % 2 === 0 } });
    t.is((await journal.list({ queuePrefix: 'sub.' })).length, 5);
    t.deepEqual((await journal.list<number>({ meta: { controlId: 'C3' } })).map((item) => item.payload), [3]);
    t.deepEqual((await journal.list<number>({ meta: { even: true }, order: 'asc' })).map((item) => item.payload), [0, 2, 4]);
    const page = await journal.list<number>({ afterId: (await journal.list({ order: 'asc', limit: 1 }))[0]!.id, limit: 2 });
    t.deepEqual(page.map((item) => item.payload), [1, 2]);
    t.is((await journal.list({ status: 'delivered' })).length, 0);
  });

  test(`${name}: tally counts a window by time bucket, status and meta fields, exactly`, async (t) => {
    const { journal, clock } = await withJournal(t);
    const start = clock.now();
    await journal.enqueue({ queue: 'q', payload: 'before', meta: { door: 'mllp', mapping: 'a' } });
    clock.advance(1_000);
    const since = clock.now();
    const first = await journal.enqueue({ queue: 'q', payload: 1, meta: { door: 'mllp', mapping: 'a' } });
    await journal.enqueue({ queue: 'q', payload: 2, meta: { door: 'mllp', mapping: 'a' } });
    await journal.enqueue({ queue: 'q', payload: 3, status: 'rejected', meta: { door: 'http', ack: 'AR' } });
    await journal.enqueue({ queue: 'other', payload: 4, meta: { door: 'mllp', mapping: 'a' } });
    clock.advance(60_000);
    await journal.enqueue({ queue: 'q', payload: 5, status: 'filtered', meta: { door: 'fhir', mapping: 'b', count: 7 } });
    const rows = await journal.tally({ queue: 'q', since, afterId: 0, bucketMs: 60_000, fields: ['door', 'mapping', 'ack', 'count'] });
    const sorted = rows.map((row) => [row.bucket, row.status, ...row.values, row.count]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    t.deepEqual(sorted, [
      [0, 'queued', 'mllp', 'a', null, null, 2],
      [0, 'rejected', 'http', null, 'AR', null, 1],
      [1, 'filtered', 'fhir', 'b', null, '7', 1],
    ]);
    // afterId bounds the walk: ids at or below it are not counted even inside the time window.
    const after = await journal.tally({ queue: 'q', since, afterId: first.item.id, bucketMs: 3_600_000, fields: [] });
    t.is(after.reduce((sum, row) => sum + row.count, 0), 3);
    t.true(start < since);
    await t.throwsAsync(journal.tally({ queue: 'q', since, bucketMs: 1, fields: ["door') OR 1=1 --"] }), { instanceOf: TypeError });
  });

  test(`${name}: purge removes old terminal items only`, async (t) => {
    const { journal, clock } = await withJournal(t);
    const done = await journal.enqueue({ queue: 'q', key: 'old', payload: 1, status: 'delivered' });
    await journal.enqueue({ queue: 'q', key: 'waiting', payload: 2 });
    clock.advance(10_000);
    t.is(await journal.purge('q', clock.now()), 1);
    t.is(await journal.get(done.item.id), undefined);
    t.is((await journal.counts('q')).queued, 1);
  });

  test(`${name}: watch fires after an enqueue commits`, async (t) => {
    const { journal } = await withJournal(t);
    let woken = 0;
    const stop = journal.watch('q', () => (woken += 1));
    await journal.enqueue({ queue: 'q', payload: 1 });
    await eventually(() => woken >= 1, { timeoutMs: 5_000, what: 'a watch wake-up' });
    stop();
    t.true(woken >= 1);
  });
}
