import path from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { sqliteMigrations } from '../../core/journal/sqlite-schema.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { journalSuite } from '../helpers/journal-suite.js';
import { tempDir } from '../helpers/temp.js';

journalSuite('sqlite', async (t, clock) => new SqliteJournal({ file: path.join(tempDir(t), 'journal.db'), clock }));

test('sqlite: a journal written before the blocked column keeps each order key in order after the upgrade', async (t) => {
  const file = path.join(tempDir(t), 'old.db');
  const old = new Database(file);
  old.exec(sqliteMigrations[0]!);
  old.pragma('user_version = 1');
  const insert = old.prepare(`INSERT INTO journal_items (queue, order_key, status, payload, available_at, created_at, updated_at) VALUES ('q', ?, 'queued', ?, 0, 0, 0)`);
  for (const [patient, payload] of [['p1', '"p1-a"'], ['p2', '"p2-a"'], ['p1', '"p1-b"']]) insert.run(patient, payload);
  old.close();
  const journal = new SqliteJournal({ file });
  t.teardown(() => journal.close());
  const first = await journal.claim<string>({ queue: 'q', limit: 10, leaseMs: 60_000 });
  t.deepEqual(first.map((item) => item.payload), ['p1-a', 'p2-a']);
  await journal.complete(first[0]!.id);
  t.deepEqual((await journal.claim<string>({ queue: 'q', limit: 10, leaseMs: 60_000 })).map((item) => item.payload), ['p1-b']);
});
