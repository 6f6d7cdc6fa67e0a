import { existsSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import Database from 'better-sqlite3';
import { ensureKeyFile, readKeyFile } from '../../core/crypto/keys.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { tempDir } from '../helpers/temp.js';

const run = promisify(execFile);

test('keys rotate adds a key and re-encrypts while intake goes on: nothing lost, everything readable, old rows under the new key', async (t) => {
  t.timeout(120_000);
  const dataDir = tempDir(t, 'caraloom-rotate-');
  const { file: keyFile } = ensureKeyFile(dataDir);
  const oldKey = readKeyFile(keyFile).current.id;
  const file = path.join(dataDir, 'connector.db');
  const journal = new SqliteJournal({ file, keyring: readKeyFile(keyFile), synchronous: 'normal' });
  t.teardown(() => journal.close());
  for (let batch = 0; batch < 10; batch += 1) await journal.enqueueMany(Array.from({ length: 200 }, (_, n) => ({ queue: 'q', key: `old-${batch}-${n}`, payload: { n: batch * 200 + n, who: 'ROTATE^PATIENT' } })));

  // Intake keeps going in this process while the CLI rotates in another one.
  let stop = false;
  let written = 0;
  const intake = (async () => {
    while (!stop) {
      await journal.enqueueMany(Array.from({ length: 20 }, (_, n) => ({ queue: 'q', key: `new-${written + n}`, payload: { n: 10_000 + written + n } })));
      written += 20;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const rotated = await run(process.execPath, ['--import', 'tsx', 'test/helpers/cli-entry.ts', 'keys', 'rotate', '--data', dataDir, '--batch', '100'], { encoding: 'utf8' });
  stop = true;
  await intake;
  const newKey = readKeyFile(keyFile).current.id;
  t.not(newKey, oldKey);
  t.regex(rotated.stdout, new RegExp(`added key ${newKey}`));
  t.regex(rotated.stdout, /connector: re-encrypted \d+ value\(s\)/);
  t.true(written > 0, 'intake wrote during the rotation');

  // Every item there and readable (this journal reloads the key file for the new key).
  const items = await journal.list<{ n: number }>({ queue: 'q', limit: 100_000, order: 'asc' });
  t.is(items.length, 2_000 + written);
  t.deepEqual(items.slice(0, 2_000).map((item) => item.payload.n), Array.from({ length: 2_000 }, (_, n) => n));
  const raw = new Database(file, { readonly: true });
  const oldRows = raw.prepare(`SELECT count(*) AS n FROM journal_items WHERE key LIKE 'old-%' AND payload NOT LIKE ?`).get(`v1:${newKey}:%`) as { n: number };
  raw.close();
  t.is(oldRows.n, 0, 'every row from before the rotation is under the new key');
  t.true(existsSync(keyFile) && readFileSync(keyFile, 'utf8').trim().split('\n').length === 2, 'the old key is kept to read what intake sealed with it');
});
