import path from 'node:path';
import test from 'ava';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { tempDir } from '../helpers/temp.js';

// The durable SQLite journal syncs its WAL on the thread pool after each group
// commit and answers enqueues only once that sync returned; enqueues made while
// a sync runs share the next transaction and sync.

test('sqlite (synchronous full): enqueues made while a sync runs are all answered, stored once and in order per order key', async (t) => {
  const file = path.join(tempDir(t), 'journal.db');
  const journal = new SqliteJournal({ file });
  const answered: number[] = [];
  // Each sender enqueues its next item the moment its previous one is answered, so
  // most enqueues arrive while another batch's sync is running.
  await Promise.all(
    Array.from({ length: 20 }, async (_, sender) => {
      for (let n = 0; n < 25; n++) {
        const { item, created } = await journal.enqueue({ queue: 'q', key: `s${sender}-${n}`, orderKey: `p${sender % 5}`, payload: { sender, n } });
        t.true(created);
        answered.push(item.id);
      }
    }),
  );
  await journal.close();
  const reopened = new SqliteJournal({ file });
  t.teardown(() => reopened.close());
  t.is(new Set(answered).size, 500);
  for (let sender = 0; sender < 20; sender++) {
    for (let n = 0; n < 25; n++) t.deepEqual((await reopened.getByKey<{ sender: number; n: number }>('q', `s${sender}-${n}`))?.payload, { sender, n });
  }
  // Each order key hands out its items in enqueue order, one head at a time.
  const seen = new Map<number, number>();
  for (;;) {
    const heads = await reopened.claim<{ sender: number; n: number }>({ queue: 'q', limit: 50, leaseMs: 60_000 });
    if (heads.length === 0) break;
    t.true(heads.length <= 5);
    for (const head of heads) {
      const last = seen.get(head.payload.sender) ?? -1;
      t.true(head.payload.n > last);
      seen.set(head.payload.sender, head.payload.n);
      await reopened.complete(head.id);
    }
  }
  t.is([...seen.values()].filter((n) => n === 24).length, 20);
});

test('sqlite (synchronous full): close answers what was enqueued before it, and refuses what comes after', async (t) => {
  const file = path.join(tempDir(t), 'journal.db');
  const journal = new SqliteJournal({ file });
  const first = journal.enqueue({ queue: 'q', key: 'a', payload: 'a' });
  // Queued behind the first one's sync.
  const second = first.then(() => undefined);
  const third = journal.enqueue({ queue: 'q', key: 'b', payload: 'b' });
  await journal.close();
  t.true((await first).created);
  t.true((await third).created);
  await second;
  await t.throwsAsync(journal.enqueue({ queue: 'q', key: 'c', payload: 'c' }), { name: 'StorageUnavailableError' });
  const reopened = new SqliteJournal({ file });
  t.teardown(() => reopened.close());
  t.is((await reopened.getByKey('q', 'a'))?.payload, 'a');
  t.is((await reopened.getByKey('q', 'b'))?.payload, 'b');
  t.is(await reopened.getByKey('q', 'c'), undefined);
});
