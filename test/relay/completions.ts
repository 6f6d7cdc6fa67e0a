import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { ManualClock } from '../../core/clock.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { batchCompletions } from '../../relay/completions.js';

function journalIn(t: ExecutionContext): SqliteJournal {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caraloom-completions-'));
  const journal = new SqliteJournal({ file: path.join(dir, 'relay.db'), clock: new ManualClock(1_000) });
  t.teardown(async () => {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return journal;
}

async function claimThree(journal: SqliteJournal) {
  await journal.enqueueMany(['a', 'b', 'c'].map((queue) => ({ queue: `relay.sub.${queue}`, key: 'evt_1', orderKey: 'referral:r1', payload: { queue } })));
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(async (queue) => (await journal.claim({ queue: `relay.sub.${queue}`, limit: 1, leaseMs: 60_000 }))[0]!));
  return [a!, b!, c!] as const;
}

test('completions of several subscribers in one turn are all recorded, each with its result and attempt', async (t) => {
  const journal = journalIn(t);
  const batched = batchCompletions(journal);
  const [a, b, c] = await claimThree(journal);
  await Promise.all([
    batched.complete(a.id, { result: { status: 200 }, attempt: { at: 1_000, ok: true, status: 200 } }),
    batched.completeMany([{ id: b.id, options: { result: { status: 201 } } }, { id: c.id }]),
  ]);
  t.like(await journal.get(a.id), { status: 'delivered', result: { status: 200 }, attempts: 1 });
  t.like(await journal.get(b.id), { status: 'delivered', result: { status: 201 } });
  t.like(await journal.get(c.id), { status: 'delivered' });
  t.like((await journal.attempts(a.id))[0], { ok: true, status: 200 });
});

test('a completion that cannot be written fails alone: the others in its turn are recorded', async (t) => {
  const journal = journalIn(t);
  const batched = batchCompletions(journal);
  const [a, b, c] = await claimThree(journal);
  const results = await Promise.allSettled([
    batched.complete(a.id, { result: { status: 200 } }),
    // A result JSON cannot hold: the shared transaction fails and is retried per caller.
    batched.complete(b.id, { result: { size: 1n } }),
    batched.completeMany([{ id: c.id }]),
  ]);
  t.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'fulfilled']);
  t.like(await journal.get(a.id), { status: 'delivered' });
  t.like(await journal.get(b.id), { status: 'queued' });
  t.like(await journal.get(c.id), { status: 'delivered' });
});

test('everything else goes straight to the journal', async (t) => {
  const journal = journalIn(t);
  const batched = batchCompletions(journal);
  t.is(batched.kind, 'sqlite');
  await batched.enqueue({ queue: 'relay.sub.a', key: 'evt_2', payload: 1 });
  t.like(await batched.counts('relay.sub.a'), { queued: 1 });
});
