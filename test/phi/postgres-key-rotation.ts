/**
 * Issue #13 §2 on PostgreSQL: `caraloom keys rotate --config` re-encrypts
 * the journal of a postgres store while intake and deliveries go on in
 * another process, with nothing lost or unreadable.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import { ensureKeyFile, readKeyFile } from '../../core/crypto/keys.js';
import { openPostgresJournal } from '../../core/journal/postgres.js';
import { sql } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';
import { writeConfig } from './_cli.js';
import { storeFor } from './_stores.js';

const run = promisify(execFile);

test('postgres: keys rotate re-encrypts while intake and deliveries go on: nothing lost, everything readable, old rows under the new key', async (t) => {
  t.timeout(120_000);
  const dataDir = tempDir(t, 'caraloom-rotate-');
  const { file: keyFile } = ensureKeyFile(dataDir);
  const oldKey = readKeyFile(keyFile).current.id;
  const store = storeFor(t, 'postgres');
  if (store.kind !== 'postgres') throw new Error('expected a postgres store');
  const journal = await openPostgresJournal({ ...store, keyring: readKeyFile(keyFile) });
  t.teardown(() => journal.close());
  for (let batch = 0; batch < 10; batch += 1) await journal.enqueueMany(Array.from({ length: 200 }, (_, n) => ({ queue: 'q', key: `old-${batch}-${n}`, payload: { n: batch * 200 + n, who: 'ROTATE^PATIENT' } })));
  // Some of them delivered, with a sealed result and a sealed answer.
  const delivered = await journal.claim({ queue: 'q', limit: 300, leaseMs: 60_000 });
  for (const item of delivered) await journal.complete(item.id, { result: { referral: `ref-${item.id}` }, attempt: { at: 1_000 + item.id, ok: true, status: 201, response: `answer ${item.id}` } });

  // Intake and deliveries keep going in this process while the CLI rotates in another one.
  let stop = false;
  let written = 0;
  let completed = delivered.length;
  const load = (async () => {
    while (!stop) {
      await journal.enqueueMany(Array.from({ length: 20 }, (_, n) => ({ queue: 'q', key: `new-${written + n}`, payload: { n: 10_000 + written + n } })));
      written += 20;
      for (const item of await journal.claim({ queue: 'q', limit: 10, leaseMs: 60_000 })) {
        await journal.complete(item.id, { result: { referral: `ref-${item.id}` }, attempt: { at: 1_000 + item.id, ok: true, status: 201, response: `answer ${item.id}` } });
        completed += 1;
      }
    }
  })();
  const config = writeConfig(tempDir(t, 'caraloom-config-'), store);
  const rotated = await run(process.execPath, ['--import', 'tsx', 'test/helpers/cli-entry.ts', 'keys', 'rotate', '--data', dataDir, '--config', config, '--batch', '100'], { encoding: 'utf8' });
  stop = true;
  await load;
  const newKey = readKeyFile(keyFile).current.id;
  t.not(newKey, oldKey);
  t.regex(rotated.stdout, new RegExp(`added key ${newKey}`));
  t.regex(rotated.stdout, new RegExp(`postgres schema ${store.schema}: re-encrypted \\d+ value\\(s\\) with ${newKey}`));
  t.true(written > 0 && completed > delivered.length, 'intake and deliveries went on during the rotation');
  t.log(`${rotated.stdout.trim()} | ${written} enqueued and ${completed - delivered.length} delivered meanwhile`);

  // Every item there and readable (this journal reloads the key file for the new key), results and answers too.
  const items = await journal.list<{ n: number }>({ queue: 'q', limit: 100_000, order: 'asc' });
  t.is(items.length, 2_000 + written);
  t.deepEqual(items.slice(0, 2_000).map((item) => item.payload.n), Array.from({ length: 2_000 }, (_, n) => n));
  const done = items.filter((item) => item.status === 'delivered');
  t.is(done.length, completed);
  t.true(done.every((item) => (item.result as { referral: string }).referral === `ref-${item.id}`), 'every result opens and is its own');
  for (const item of done.slice(0, 50)) t.is((await journal.attempts(item.id))[0]?.response, `answer ${item.id}`);

  const S = `"${store.schema}"`;
  // Values written before the rotation began; what the running journal sealed
  // during it may still be under the old key, which it keeps holding.
  const before = delivered.map((item) => item.id);
  const [stale] = await sql<{ n: string }>(`SELECT count(*) AS n FROM ${S}.journal_items WHERE key LIKE 'old-%' AND payload NOT LIKE $1`, [`v1:${newKey}:%`]);
  t.is(Number(stale!.n), 0, 'every payload from before the rotation is under the new key');
  const [staleResults] = await sql<{ n: string }>(`SELECT count(*) AS n FROM ${S}.journal_items WHERE id = ANY($2::bigint[]) AND result NOT LIKE $1`, [`v1:${newKey}:%`, before]);
  t.is(Number(staleResults!.n), 0, 'and every result');
  const [staleAttempts] = await sql<{ n: string }>(`SELECT count(*) AS n FROM ${S}.journal_attempts WHERE item_id = ANY($2::bigint[]) AND response NOT LIKE $1`, [`v1:${newKey}:%`, before]);
  t.is(Number(staleAttempts!.n), 0, 'and every answer recorded before it');
  const [check] = await sql<{ value: string }>(`SELECT value FROM ${S}.journal_crypto WHERE name = 'key check'`);
  t.true(check!.value.startsWith(`v1:${newKey}:`), 'the key check is under the new key');
  const [entry] = await journal.audit.list({ action: 'rotated-key' });
  t.like(entry, { action: 'rotated-key', subject: `data-key/${newKey}`, detail: { journal: `postgres schema ${store.schema}` } });
  t.regex(entry!.actor, /^os:/, 'on the trail by os user');
});
