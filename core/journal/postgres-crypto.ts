import type pg from 'pg';
import { DataKeyError, type Keyring } from '../crypto/keys.js';
import { attemptAad, isSealed, itemAad, JournalCipher, keyCheckAad, keyCheckText, sealedWith } from './cipher.js';

/**
 * Encryption at rest for the PostgreSQL journal (issue #13 §2), as
 * sqlite-crypto.ts does it for SQLite: the key check at open, the in-place
 * migration of rows written before encryption, and re-encryption under a
 * rotated key. The table `journal_crypto` comes from migration v3
 * (postgres-schema.ts), so a runtime role needs no DDL here.
 */

type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;

/** Where the last batch of a re-encryption pass stopped, per table (keyset paging: one pass is one scan, not one per batch). */
export interface ReencryptCursor {
  items: number;
  attempts: number;
}

/** The lock migrate() takes (postgres-schema.ts): two instances starting at once seal old rows one after the other. */
const migrationLock = (schema: string) => `caraloom.journal.migrate/${schema}`;

/**
 * Checks the key against the journal's sentinel (or writes it on the first
 * encrypted open), then seals in place every value written before
 * encryption. Runs before the journal serves anything, so nothing queued
 * changes status and nothing is delivered twice.
 */
export async function preparePostgresCipher(client: pg.ClientBase, schema: string, S: string, keyring: Keyring | undefined): Promise<JournalCipher | undefined> {
  const readCheck = async () => (await client.query<{ value: string }>(`SELECT value FROM ${S}.journal_crypto WHERE name = 'key check'`)).rows[0]?.value;
  if (keyring === undefined) {
    if ((await readCheck()) !== undefined) throw new DataKeyError('this journal is encrypted: set CARALOOM_DATA_KEY or CARALOOM_DATA_KEY_FILE, or put its data.key in the data folder');
    return undefined;
  }
  const cipher = new JournalCipher(keyring);
  // A session lock (not a transaction): the migration below is many short
  // transactions, and intake of instances already running goes on between them.
  await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [migrationLock(schema)]);
  try {
    // Two instances opening a new journal at once with different keys: the first sentinel wins, the other is refused.
    await client.query(`INSERT INTO ${S}.journal_crypto (name, value) VALUES ('key check', $1) ON CONFLICT (name) DO NOTHING`, [cipher.seal(keyCheckAad, keyCheckText)]);
    let text: string | undefined;
    try {
      text = cipher.open(keyCheckAad, (await readCheck())!);
    } catch (error) {
      throw error instanceof DataKeyError ? new DataKeyError(`the data key does not open this journal (${error.message})`) : error;
    }
    if (text !== keyCheckText) throw new DataKeyError('the data key does not open this journal');
    const query: Query = (sql, values) => client.query(sql, values);
    const cursor: ReencryptCursor = { items: 0, attempts: 0 };
    while ((await reencryptPostgres(query, S, cipher, 500, cursor, true)) > 0);
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [migrationLock(schema)]);
  }
  return cipher;
}

/**
 * Seals up to `batch` items and `batch` attempts that are plain (or, unless
 * `onlyPlain`, sealed with an older key) under the current key, from the
 * cursor on; returns how many stale values it found, 0 once a pass from the
 * start finds none. Each update is one autocommitted statement that only
 * replaces a value still equal to what was read (a compare-and-set): a row a
 * worker completed in between keeps its new result and is picked up again by
 * the next pass. No lock is held between statements, so intake, claims and
 * completions never wait behind a rotation.
 */
export async function reencryptPostgres(query: Query, S: string, cipher: JournalCipher, batch: number, cursor: ReencryptCursor, onlyPlain = false): Promise<number> {
  let found = await reencryptFrom(query, S, cipher, batch, cursor, onlyPlain);
  if (found === 0 && (cursor.items > 0 || cursor.attempts > 0)) {
    // End of a pass: start again from the top for what changed behind the cursor.
    cursor.items = 0;
    cursor.attempts = 0;
    found = await reencryptFrom(query, S, cipher, batch, cursor, onlyPlain);
  }
  if (!onlyPlain) {
    const check = (await query<{ value: string }>(`SELECT value FROM ${S}.journal_crypto WHERE name = 'key check'`)).rows[0];
    if (check !== undefined && !sealedWith(check.value, cipher.currentKeyId)) await query(`UPDATE ${S}.journal_crypto SET value = $1 WHERE name = 'key check'`, [cipher.seal(keyCheckAad, keyCheckText)]);
  }
  return found;
}

async function reencryptFrom(query: Query, S: string, cipher: JournalCipher, batch: number, cursor: ReencryptCursor, onlyPlain: boolean): Promise<number> {
  const current = cipher.currentKeyId;
  const sealedPrefix = onlyPlain ? 'v1:' : `v1:${current}:`;
  const stale = (column: string) => `(${column} IS NOT NULL AND ${column} <> 'null' AND left(${column}, $3) <> $4)`;
  const keep = (value: string) => (onlyPlain ? isSealed(value) : sealedWith(value, current));
  const reseal = (aad: string, value: string | null) => (value === null || value === 'null' || keep(value) ? value : cipher.seal(aad, cipher.open(aad, value)));

  const items = await query<{ id: string; payload: string; result: string | null }>(
    `SELECT id, payload, result FROM ${S}.journal_items WHERE id > $1 AND (${stale('payload')} OR ${stale('result')}) ORDER BY id LIMIT $2`,
    [cursor.items, batch, sealedPrefix.length, sealedPrefix],
  );
  if (items.rows.length > 0) {
    const sealed = items.rows.map((row) => ({ ...row, newPayload: reseal(itemAad(row.id, 'payload'), row.payload), newResult: reseal(itemAad(row.id, 'result'), row.result) }));
    await query(
      `UPDATE ${S}.journal_items i SET payload = v.payload, result = v.result
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(id, old_payload, old_result, payload, result)
       WHERE i.id = v.id AND i.payload = v.old_payload AND i.result IS NOT DISTINCT FROM v.old_result`,
      [sealed.map((row) => row.id), sealed.map((row) => row.payload), sealed.map((row) => row.result), sealed.map((row) => row.newPayload), sealed.map((row) => row.newResult)],
    );
    cursor.items = Number(items.rows.at(-1)!.id);
  }

  const attempts = await query<{ id: string; item_id: string; at: string; error: string | null; response: string | null }>(
    `SELECT id, item_id, at, error, response FROM ${S}.journal_attempts WHERE id > $1 AND (${stale('error')} OR ${stale('response')}) ORDER BY id LIMIT $2`,
    [cursor.attempts, batch, sealedPrefix.length, sealedPrefix],
  );
  if (attempts.rows.length > 0) {
    const sealed = attempts.rows.map((row) => ({ ...row, newError: reseal(attemptAad(row.item_id, row.at, 'error'), row.error), newResponse: reseal(attemptAad(row.item_id, row.at, 'response'), row.response) }));
    await query(
      `UPDATE ${S}.journal_attempts a SET error = v.error, response = v.response
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(id, old_error, old_response, error, response)
       WHERE a.id = v.id AND a.error IS NOT DISTINCT FROM v.old_error AND a.response IS NOT DISTINCT FROM v.old_response`,
      [sealed.map((row) => row.id), sealed.map((row) => row.error), sealed.map((row) => row.response), sealed.map((row) => row.newError), sealed.map((row) => row.newResponse)],
    );
    cursor.attempts = Number(attempts.rows.at(-1)!.id);
  }
  return items.rows.length + attempts.rows.length;
}
