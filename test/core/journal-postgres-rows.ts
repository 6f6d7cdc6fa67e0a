import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { freshSchema, openTestJournal } from '../helpers/postgres.js';

test('payloads and results come back exactly as stored', async (t) => {
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock());
  const payload = { z: 1, a: { y: 'é', b: [1, 'two', null] }, nul: '\u0000' };
  const { item } = await journal.enqueue({ queue: 'q', payload });
  const text = await journal.enqueue({ queue: 'q', payload: 'just text' });
  await journal.complete(item.id, { result: { referral: 'ref_1', status: 'received' } });
  const stored = await journal.get(item.id);
  t.is(JSON.stringify(stored!.payload), JSON.stringify(payload));
  t.deepEqual(stored!.result, { referral: 'ref_1', status: 'received' });
  t.is((await journal.get(text.item.id))!.payload, 'just text');
});

test('meta filters match values of every JSON type', async (t) => {
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock());
  await journal.enqueue({ queue: 'q', payload: 1, meta: { controlId: 'C1', n: 7, flag: false, none: null } });
  await journal.enqueue({ queue: 'q', payload: 2, meta: { controlId: 'C2' } });
  t.deepEqual((await journal.list<number>({ meta: { n: 7, flag: false } })).map((item) => item.payload), [1]);
  t.deepEqual((await journal.list<number>({ meta: { none: null }, order: 'asc' })).map((item) => item.payload), [1, 2], 'a missing key counts as null');
});

test('an id that is not an integer finds nothing', async (t) => {
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock());
  t.is(await journal.get(Number.NaN), undefined);
  t.deepEqual(await journal.attempts(1.5), []);
  t.false(await journal.replay(Number.NaN));
  t.false(await journal.cancel(Infinity, 'A13'));
});
