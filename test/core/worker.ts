import path from 'node:path';
import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { silentLogger } from '../../core/logger.js';
import { createWorker, type DeliveryOutcome } from '../../core/worker.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';

const until = (check: () => boolean | Promise<boolean>, ms = 5_000) => eventually(check, { timeoutMs: ms, intervalMs: 10 });

const setup = (t: import('ava').ExecutionContext, handle: (payload: string) => DeliveryOutcome | Promise<DeliveryOutcome>) => {
  const clock = new ManualClock();
  const journal = new SqliteJournal({ file: path.join(tempDir(t), 'w.db'), clock });
  const worker = createWorker<string>({ journal, queue: 'q', clock, logger: silentLogger(), random: () => 0.5, handle: (item) => Promise.resolve(handle(item.payload)) });
  t.teardown(async () => {
    await worker.stop();
    await journal.close();
  });
  return { clock, journal, worker };
};

test('worker delivers due items and records the result', async (t) => {
  const seen: string[] = [];
  const { journal, worker } = setup(t, (payload) => (seen.push(payload), { kind: 'delivered', result: { id: `r-${payload}` } }));
  worker.start();
  const { item } = await journal.enqueue({ queue: 'q', payload: 'a' });
  await until(async () => (await journal.get(item.id))?.status === 'delivered');
  t.deepEqual(seen, ['a']);
  t.deepEqual((await journal.get(item.id))?.result, { id: 'r-a' });
  t.is((await journal.attempts(item.id)).length, 1);
});

test('worker retries on the schedule and then buries', async (t) => {
  const { journal, worker, clock } = setup(t, () => ({ kind: 'retry', error: 'HTTP 503', attempt: { status: 503 } }));
  worker.start();
  const { item } = await journal.enqueue({ queue: 'q', payload: 'a' });
  await until(async () => (await journal.get(item.id))?.attempts === 1);
  const first = await journal.get(item.id);
  t.is(first!.availableAt - clock.now(), 5_000, 'first retry after 5 s (jitter centred)');
  for (const step of [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]) {
    const before = (await journal.get(item.id))!.attempts;
    clock.advance(step);
    worker.poke();
    await until(async () => (await journal.get(item.id))!.attempts === before + 1 || (await journal.get(item.id))!.status === 'dead');
  }
  const dead = await journal.get(item.id);
  t.is(dead?.status, 'dead');
  t.is(dead?.attempts, 8);
  t.regex(dead?.lastError ?? '', /retries exhausted/);
});

test('worker honours retry-after without using up the schedule', async (t) => {
  let calls = 0;
  const { journal, worker, clock } = setup(t, () => {
    calls += 1;
    return calls === 1 ? { kind: 'retry', error: 'HTTP 429', retryAfterMs: 30_000, countsAsAttempt: false } : { kind: 'delivered' };
  });
  worker.start();
  const { item } = await journal.enqueue({ queue: 'q', payload: 'a' });
  await until(() => calls === 1);
  await until(async () => (await journal.get(item.id))!.availableAt > clock.now());
  const waiting = await journal.get(item.id);
  t.true(waiting!.availableAt - clock.now() >= 30_000);
  t.is(waiting!.attempts, 0);
  clock.advance(40_000);
  worker.poke();
  await until(async () => (await journal.get(item.id))?.status === 'delivered');
  t.is(calls, 2);
});

test('worker sends a permanent failure straight to dead letters', async (t) => {
  const { journal, worker } = setup(t, () => ({ kind: 'dead', error: 'HTTP 422', result: { error: { code: 'invalid_zip' } } }));
  worker.start();
  const { item } = await journal.enqueue({ queue: 'q', payload: 'a' });
  await until(async () => (await journal.get(item.id))?.status === 'dead');
  t.deepEqual((await journal.get(item.id))?.result, { error: { code: 'invalid_zip' } });
});

test('worker logs a rate-limit wait without using up the schedule, even after the last retry', async (t) => {
  let calls = 0;
  const { journal, worker, clock } = setup(t, () => {
    calls += 1;
    return calls === 1 ? { kind: 'retry', error: 'HTTP 429', retryAfterMs: 1_000, countsAsAttempt: false, attempt: { status: 429 } } : { kind: 'delivered' };
  });
  const { item } = await journal.enqueue({ queue: 'q', payload: 'a' });
  // As if every scheduled retry had already been used.
  await journal.claim({ queue: 'q', limit: 1, leaseMs: 1 });
  for (let n = 0; n < 7; n += 1) await journal.retry(item.id, clock.now(), 'HTTP 503', { attempt: { at: clock.now(), ok: false, status: 503 } });
  worker.start();
  await until(() => calls === 1);
  await until(async () => (await journal.get(item.id))!.availableAt > clock.now());
  const waiting = await journal.get(item.id);
  t.is(waiting!.status, 'queued');
  t.is(waiting!.attempts, 7, 'the 429 did not count');
  t.deepEqual((await journal.attempts(item.id)).map((attempt) => attempt.status).slice(-1), [429], 'the 429 is in the attempt log');
  clock.advance(2_000);
  worker.poke();
  await until(async () => (await journal.get(item.id))?.status === 'delivered');
  t.is(calls, 2);
});
