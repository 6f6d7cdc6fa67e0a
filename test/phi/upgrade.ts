import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { newKeyLine, parseKeys } from '../../core/crypto/keys.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { tempDir } from '../helpers/temp.js';

// test/fixtures/journal-v0/connector.db was written by the journal code of the
// release before encryption (see its README): plain payloads, items queued.
const fixture = path.resolve('test/fixtures/journal-v0/connector.db');
const fixturePhi = ['FIXTUREONE', 'FIXTURETWO', 'FIXTURETHREE', 'FIXTUREFOUR', 'FIXTURERELAY', 'MRNFIX00', 'FIXTURE LANE', 'FIXTURE ROAD', 'FIXTURE AVENUE', 'FIXTURE STREET'];

test('a journal written before encryption opens under a key, is sealed in place, and its queued items are delivered once', async (t) => {
  const file = path.join(tempDir(t), 'connector.db');
  copyFileSync(fixture, file);
  t.true(readFileSync(file).includes('MRNFIX002'), 'the fixture is plain to begin with');

  const keyring = parseKeys(newKeyLine().line, 'test');
  const journal = new SqliteJournal({ file, keyring });
  t.deepEqual(await journal.counts('connector.outbox'), { ...(await journal.counts('connector.outbox')), queued: 3, delivered: 1 });
  t.is((await journal.counts('relay.events')).queued, 1);

  const raw = new Database(file, { readonly: true });
  const rows = raw.prepare('SELECT payload, result FROM journal_items').all() as { payload: string; result: string | null }[];
  const responses = raw.prepare('SELECT response FROM journal_attempts WHERE response IS NOT NULL').all() as { response: string }[];
  raw.close();
  t.true(rows.every((row) => row.payload.startsWith(`v1:${keyring.current.id}:`)), 'every payload sealed');
  t.true(responses.length === 1 && responses[0]!.response.startsWith('v1:'), 'the stored answer sealed');
  for (const name of [file, `${file}-wal`]) {
    const bytes = readFileSync(name, { flag: 'r' });
    t.deepEqual(fixturePhi.filter((term) => bytes.includes(term)), [], `no plain fixture content left in ${path.basename(name)}`);
  }

  const delivered = await journal.list<{ patient: { mrn: string } }>({ queue: 'connector.outbox', status: 'delivered' });
  t.is(delivered[0]!.payload.patient.mrn, 'MRNFIX001');
  t.deepEqual(delivered[0]!.result, { referralId: 'ref-1' });
  t.regex((await journal.attempts(delivered[0]!.id))[0]!.response ?? '', /FIXTUREONE/);

  // Deliver what was queued: each once, in order, with its content intact.
  const seen: string[] = [];
  for (;;) {
    const claimed = await journal.claim<{ patient: { mrn: string } }>({ queue: 'connector.outbox', limit: 10, leaseMs: 60_000 });
    if (claimed.length === 0) break;
    for (const item of claimed) (seen.push(item.payload.patient.mrn), await journal.complete(item.id));
  }
  t.deepEqual(seen, ['MRNFIX002', 'MRNFIX003', 'MRNFIX004']);
  const [event] = await journal.claim<{ data: { mrn: string } }>({ queue: 'relay.events', limit: 10, leaseMs: 60_000 });
  t.is(event!.payload.data.mrn, 'MRNFIX006');
  await journal.complete(event!.id);
  t.is((await journal.counts()).queued, 0);
  await journal.close();

  // Reopened, nothing is migrated or queued again.
  const reopened = new SqliteJournal({ file, keyring });
  t.deepEqual([(await reopened.counts()).queued, (await reopened.counts()).delivered, await reopened.reencrypt()], [0, 6, 0]);
  await reopened.close();
});
