import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import test, { type ExecutionContext } from 'ava';
import { ManualClock, systemClock, type Clock } from '../../core/clock.js';
import { silentLogger } from '../../core/logger.js';
import { createWorker } from '../../core/worker.js';
import type { Journal } from '../../core/journal/types.js';
import pg from 'pg';
import { freshSchema, openTestJournal, sql, testDatabaseUrl } from '../helpers/postgres.js';

// Two journals on one schema are two instances: separate pools, separate
// connections, one database. One ManualClock drives both leases.

async function twoInstances<C extends Clock = ManualClock>(t: ExecutionContext, clock: C = new ManualClock() as unknown as C) {
  const schema = freshSchema(t);
  const [a, b] = await Promise.all([openTestJournal(t, schema, clock), openTestJournal(t, schema, clock)]);
  return { a: a!, b: b!, clock, schema };
}

test('two instances starting at once apply each migration once', async (t) => {
  const { schema } = await twoInstances(t);
  const rows = await sql<{ version: number }>(`SELECT version FROM "${schema}".journal_migrations ORDER BY version`);
  const versions = rows.map((row) => row.version);
  t.deepEqual(versions, [...new Set(versions)].sort((a, b) => a - b), 'each migration applied once, in order');
  t.is(versions[0], 1);
});

test('concurrent enqueues of one key on two instances create one item', async (t) => {
  const { a, b } = await twoInstances(t);
  const results = await Promise.all(Array.from({ length: 20 }, (_, n) => (n % 2 ? a : b).enqueue({ queue: 'q', key: 'FAC|42', payload: n })));
  t.is(results.filter((result) => result.created).length, 1);
  t.is(new Set(results.map((result) => result.item.id)).size, 1);
});

test('two instances never hold one order key at once and deliver each key in order', async (t) => {
  const { a, b } = await twoInstances(t);
  const keys = 8;
  const perKey = 6;
  for (let n = 0; n < perKey; n += 1) {
    await (n % 2 ? a : b).enqueueMany(Array.from({ length: keys }, (_, k) => ({ queue: 'q', orderKey: `p${k}`, payload: { k, n } })));
  }
  const held = new Set<string>();
  const delivered = new Map<string, number[]>();
  let overlaps = 0;
  let done = 0;
  const loop = async (journal: Journal, owner: string) => {
    for (let idle = 0; done < keys * perKey && idle < 2_000; ) {
      const items = await journal.claim<{ k: number; n: number }>({ queue: 'q', limit: 2, leaseMs: 60_000, owner });
      if (items.length === 0) {
        idle += 1;
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      await Promise.all(
        items.map(async (item) => {
          if (held.has(item.orderKey!)) overlaps += 1;
          held.add(item.orderKey!);
          delivered.set(item.orderKey!, [...(delivered.get(item.orderKey!) ?? []), item.payload.n]);
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
          held.delete(item.orderKey!);
          await journal.complete(item.id);
          done += 1;
        }),
      );
    }
  };
  await Promise.all([loop(a, 'a1'), loop(a, 'a2'), loop(b, 'b1'), loop(b, 'b2')]);
  t.is(overlaps, 0);
  t.is(done, keys * perKey);
  for (let k = 0; k < keys; k += 1) t.deepEqual(delivered.get(`p${k}`), Array.from({ length: perKey }, (_, n) => n), `order of p${k}`);
});

test('an item committed late with a smaller id waits while a later item of its key is leased', async (t) => {
  const { a, b, schema } = await twoInstances(t);
  // Another transaction holds key `block` uncommitted, so instance a's batch
  // takes its ids (x1 first), then waits on the unique index before COMMIT.
  const blocker = new pg.Client({ connectionString: testDatabaseUrl });
  await blocker.connect();
  t.teardown(() => blocker.end());
  await blocker.query('BEGIN');
  await blocker.query(`INSERT INTO "${schema}".journal_items (queue, key, status, payload, available_at, created_at, updated_at) VALUES ('q', 'block', 'queued', 'null', 0, 0, 0)`);
  const late = a.enqueueMany([{ queue: 'q', orderKey: 'p', payload: 'x1' }, { queue: 'q', key: 'block', payload: 'other' }]);
  for (let tries = 0; tries < 500; tries += 1) {
    const waiting = await sql(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`, [`%"${schema}".journal_items%`]);
    if (waiting.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const x2 = await b.enqueue({ queue: 'q', orderKey: 'p', payload: 'x2' });
  const first = await b.claim<string>({ queue: 'q', limit: 10, leaseMs: 60_000 });
  t.deepEqual(first.map((item) => item.payload), ['x2']);
  await blocker.query('ROLLBACK');
  const [x1] = await late;
  t.true(x1!.item.id < x2.item.id, 'x1 took the smaller id but committed later');
  const beside = await a.claim<string>({ queue: 'q', limit: 10, leaseMs: 60_000 });
  t.deepEqual(beside.map((item) => item.payload), ['other'], 'x1 must not run beside x2');
  await b.complete(x2.item.id);
  const next = await a.claim<string>({ queue: 'q', limit: 10, leaseMs: 60_000 });
  t.deepEqual(next.map((item) => item.payload), ['x1']);
});

test('a dead instance’s leased items are taken over by another once the lease expires', async (t) => {
  const { a, b, clock } = await twoInstances(t);
  await a.enqueue({ queue: 'q', orderKey: 'p', payload: 'p-1' });
  await a.enqueue({ queue: 'q', orderKey: 'p', payload: 'p-2' });
  await a.enqueue({ queue: 'q', payload: 'free' });
  const held = await a.claim<string>({ queue: 'q', limit: 10, leaseMs: 30_000, owner: 'a' });
  t.deepEqual(held.map((item) => item.payload), ['p-1', 'free']);
  await a.close(); // instance a dies holding both leases
  t.deepEqual(await b.claim({ queue: 'q', limit: 10, leaseMs: 30_000, owner: 'b' }), [], 'not before the lease ends');
  t.is(await b.nextDueAt('q'), clock.now() + 30_000);
  clock.advance(30_000);
  const taken = await b.claim<string>({ queue: 'q', limit: 10, leaseMs: 30_000, owner: 'b' });
  t.deepEqual(taken.map((item) => item.payload), ['p-1', 'free']);
  for (const item of taken) await b.complete(item.id);
  t.deepEqual((await b.claim<string>({ queue: 'q', limit: 10, leaseMs: 30_000 })).map((item) => item.payload), ['p-2']);
});

test('an enqueue on one instance wakes a watcher on another', async (t) => {
  const { a, b } = await twoInstances(t);
  let stop = () => {};
  const woken = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    stop = b.watch('q', () => (clearTimeout(timer), resolve(true)));
  });
  // Give the LISTEN connection a moment to open; a NOTIFY before it is not queued for it.
  for (let tries = 0; tries < 200; tries += 1) {
    if ((await sql(`SELECT 1 FROM pg_stat_activity WHERE query LIKE 'LISTEN caraloom_%' AND application_name = 'caraloom'`)).length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await a.enqueue({ queue: 'q', payload: 1 });
  t.true(await woken);
  stop();
});

test('items leased by a process killed with SIGKILL are taken over after the lease', async (t) => {
  const schema = freshSchema(t);
  const clock = new ManualClock(Date.now());
  const survivor = await openTestJournal(t, schema, clock);
  for (let n = 0; n < 4; n += 1) await survivor.enqueue({ queue: 'q', orderKey: `p${n % 2}`, payload: n });
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/helpers/postgres-instance.ts'), testDatabaseUrl, schema, 'q', '10'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void child.kill('SIGKILL'));
  const [line] = (await once(readline.createInterface({ input: child.stdout }), 'line')) as [string];
  const leased = JSON.parse(line) as number[];
  t.is(leased.length, 2, 'the head of each order key');
  child.kill('SIGKILL');
  await once(child, 'exit');
  t.deepEqual(await survivor.claim({ queue: 'q', limit: 10, leaseMs: 60_000 }), [], 'the leases outlive the process');
  clock.set(Date.now() + 60_001); // the child leased by its own (system) clock
  const taken = await survivor.claim<number>({ queue: 'q', limit: 10, leaseMs: 60_000 });
  t.deepEqual(taken.map((item) => item.id).sort(), [...leased].sort());
  t.deepEqual(taken.map((item) => item.payload).sort(), [0, 1]);
});

test('workers on two instances deliver every item exactly once, in order per key', async (t) => {
  const { a, b } = await twoInstances(t, systemClock);
  const keys = 10;
  const perKey = 10;
  for (let n = 0; n < perKey; n += 1) {
    await (n % 2 ? a : b).enqueueMany(Array.from({ length: keys }, (_, k) => ({ queue: 'q', key: `${k}-${n}`, orderKey: `p${k}`, payload: { k, n } })));
  }
  const seen: Array<{ k: number; n: number }> = [];
  let finished = () => {};
  const all = new Promise<void>((resolve) => (finished = resolve));
  const workers = [a, b].map((journal, index) =>
    createWorker<{ k: number; n: number }>({
      journal,
      queue: 'q',
      logger: silentLogger(),
      concurrency: 4,
      owner: `instance-${index}`,
      handle: async (item) => {
        seen.push(item.payload);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2));
        return { kind: 'delivered' };
      },
      onOutcome: () => void (seen.length === keys * perKey && finished()),
    }),
  );
  for (const worker of workers) worker.start();
  t.teardown(() => Promise.all(workers.map((worker) => worker.stop())));
  await all;
  await Promise.all(workers.map((worker) => worker.stop()));
  t.is(seen.length, keys * perKey);
  t.is(new Set(seen.map(({ k, n }) => `${k}-${n}`)).size, keys * perKey, 'each item once');
  for (let k = 0; k < keys; k += 1) t.deepEqual(seen.filter((payload) => payload.k === k).map((payload) => payload.n), Array.from({ length: perKey }, (_, n) => n), `order of p${k}`);
  t.is((await a.counts('q')).delivered, keys * perKey);
});

test('two instances storing the same keys in opposite orders at once do not deadlock', async (t) => {
  const { a, b } = await twoInstances(t);
  const keys = Array.from({ length: 200 }, (_, n) => `FAC|${n}`);
  const [forward, backward] = await Promise.all([
    a.enqueueMany(keys.map((key) => ({ queue: 'q', key, payload: 'a' }))),
    b.enqueueMany([...keys].reverse().map((key) => ({ queue: 'q', key, payload: 'b' }))),
  ]);
  t.is([...forward!, ...backward!].filter((result) => result.created).length, keys.length, 'each key created once');
  t.is((await a.counts('q')).queued, keys.length);
});
