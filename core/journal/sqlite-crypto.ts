import type Database from 'better-sqlite3';
import { DataKeyError, type Keyring } from '../crypto/keys.js';
import { attemptAad, isSealed, itemAad, JournalCipher, keyCheckAad, keyCheckText, sealedWith } from './cipher.js';

/**
 * Encryption at rest for the SQLite journal: the key check at open, the
 * in-place migration of rows written before encryption, and re-encryption
 * under a rotated key. Kept out of the versioned migrations (its table is
 * `IF NOT EXISTS`) so it composes with any schema version.
 */
export function prepareSqliteCipher(db: Database.Database, keyring: Keyring | undefined): JournalCipher | undefined {
  db.exec('CREATE TABLE IF NOT EXISTS journal_crypto (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const check = db.prepare(`SELECT value FROM journal_crypto WHERE name = 'key check'`).get() as { value: string } | undefined;
  if (keyring === undefined) {
    if (check !== undefined) throw new DataKeyError('this journal is encrypted: set CARALOOM_DATA_KEY or CARALOOM_DATA_KEY_FILE, or put its data.key in the data folder');
    return undefined;
  }
  const cipher = new JournalCipher(keyring);
  // Freed pages are zeroed, so content replaced by its ciphertext (or pruned)
  // leaves no plain copy behind in the file.
  db.pragma('secure_delete = ON');
  if (check === undefined) {
    db.prepare(`INSERT INTO journal_crypto (name, value) VALUES ('key check', ?)`).run(cipher.seal(keyCheckAad, keyCheckText));
  } else {
    let text: string | undefined;
    try {
      text = cipher.open(keyCheckAad, check.value);
    } catch (error) {
      throw error instanceof DataKeyError ? new DataKeyError(`the data key does not open this journal (${error.message})`) : error;
    }
    if (text !== keyCheckText) throw new DataKeyError('the data key does not open this journal');
  }
  // Upgrade: rows a release before encryption wrote are sealed in place now,
  // before the service claims anything, so no status changes and nothing is
  // delivered twice. Batches keep each transaction short.
  let migrated = 0;
  for (let changed = reencryptSqlite(db, cipher, 500, true); changed > 0; changed = reencryptSqlite(db, cipher, 500, true)) migrated += changed;
  // Push the sealed pages into the main file and empty the WAL, so no plain
  // page of the old rows survives in either.
  if (migrated > 0) db.pragma('wal_checkpoint(TRUNCATE)');
  return cipher;
}

/**
 * Seals up to `batch` items (and their attempts) that are plain or sealed
 * with an older key under the current one; returns how many it changed.
 * Each batch is one short transaction, so intake goes on between batches.
 */
export function reencryptSqlite(db: Database.Database, cipher: JournalCipher, batch: number, onlyPlain = false): number {
  const current = cipher.currentKeyId;
  // Key ids are [A-Za-z0-9_-] (keys.ts), so inlining them in SQL is safe.
  const sealedPrefix = onlyPlain ? 'v1:' : `v1:${current}:`;
  const stale = (column: string) => `(${column} IS NOT NULL AND ${column} <> 'null' AND substr(${column}, 1, ${sealedPrefix.length}) <> '${sealedPrefix}')`;
  return db.transaction(() => {
    const rows = db.prepare(`SELECT id, payload, result FROM journal_items WHERE ${stale('payload')} OR ${stale('result')} ORDER BY id LIMIT ?`).all(batch) as { id: number; payload: string; result: string | null }[];
    const update = db.prepare('UPDATE journal_items SET payload = ?, result = ? WHERE id = ?');
    const keep = (value: string) => (onlyPlain ? isSealed(value) : sealedWith(value, current));
    const reseal = (aad: string, value: string | null) => (value === null || value === 'null' || keep(value) ? value : cipher.seal(aad, cipher.open(aad, value)));
    for (const row of rows) update.run(reseal(itemAad(row.id, 'payload'), row.payload), reseal(itemAad(row.id, 'result'), row.result), row.id);
    const attempts = db.prepare(`SELECT rowid AS rowid, item_id, at, error, response FROM journal_attempts WHERE ${stale('error')} OR ${stale('response')} LIMIT ?`).all(batch) as { rowid: number; item_id: number; at: number; error: string | null; response: string | null }[];
    const updateAttempt = db.prepare('UPDATE journal_attempts SET error = ?, response = ? WHERE rowid = ?');
    for (const row of attempts) updateAttempt.run(reseal(attemptAad(row.item_id, row.at, 'error'), row.error), reseal(attemptAad(row.item_id, row.at, 'response'), row.response), row.rowid);
    const check = db.prepare(`SELECT value FROM journal_crypto WHERE name = 'key check'`).get() as { value: string };
    if (!sealedWith(check.value, current)) db.prepare(`UPDATE journal_crypto SET value = ? WHERE name = 'key check'`).run(cipher.seal(keyCheckAad, keyCheckText));
    return rows.length + attempts.length;
  }).immediate();
}
