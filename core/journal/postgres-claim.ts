import type pg from 'pg';
import { StorageUnavailableError } from '../errors.js';
import { isStorageFailure } from './postgres-errors.js';
import { openItemRow, type JournalCipher } from './cipher.js';
import { rowToItem, type ItemRow } from './rows.js';
import type { ClaimOptions, JournalItem } from './types.js';

/**
 * Claiming across instances, and why two instances never deliver one order
 * key's items at the same time.
 *
 * The rule (as in SQLite): an item is claimable when it is queued, due, not
 * leased, and no other queued item with its order key is earlier (smaller
 * id) — plus one rule SQLite does not need: no other queued item with its
 * order key holds an unexpired lease. Ids come from a sequence at insert time
 * but become visible at commit, so an item can appear *after* a later-id item
 * of its key was claimed (two instances enqueueing one patient at once); the
 * lease rule makes it wait for that delivery instead of running beside it.
 *
 * Evaluating the rule in one `SELECT … FOR UPDATE SKIP LOCKED` is not
 * enough under READ COMMITTED: SKIP LOCKED only keeps two claimers off the
 * *same row*, while the rule reads *other* rows of the key from a snapshot
 * taken when the statement began. Two claimers could each see the other's
 * item as unleased and take both. So a claim is one transaction in three
 * steps:
 *
 *  1. Pick candidates by the rule, locking their rows `FOR UPDATE SKIP
 *     LOCKED` so concurrent claimers pick disjoint rows.
 *  2. Take `pg_try_advisory_xact_lock` on each candidate's (schema, queue,
 *     order key); drop candidates whose key another claimer holds. Every
 *     lease on a keyed item is written while holding its key's lock, and the
 *     lock is released only after that transaction's COMMIT is visible.
 *  3. Re-check the rule in a NEW statement (a fresh snapshot, taken after
 *     the locks were granted) and write the leases. That snapshot therefore
 *     contains every lease any other claimer ever wrote for these keys, so
 *     the check cannot miss one.
 *
 * The locks are try-locks and rows are skipped, so claimers never wait on
 * each other and cannot deadlock. A hash collision between two keys only
 * makes one of them wait for the next claim. The transaction is pinned to
 * READ COMMITTED because step 3 depends on a per-statement snapshot (a
 * server default of REPEATABLE READ would silently break it).
 *
 * Leases are compared with the services' clocks: keep instance clocks in
 * sync (NTP) to well within the lease length.
 */
export const claimRule = (alias: string, now: string) => `
  ${alias}.status = 'queued' AND ${alias}.available_at <= ${now}
  AND (${alias}.lease_until IS NULL OR ${alias}.lease_until <= ${now})
  AND (${alias}.order_key IS NULL OR (
    NOT EXISTS (
      SELECT 1 FROM $S.journal_items j
      WHERE j.queue = ${alias}.queue AND j.order_key = ${alias}.order_key AND j.status = 'queued' AND j.id < ${alias}.id)
    AND NOT EXISTS (
      SELECT 1 FROM $S.journal_items j
      WHERE j.queue = ${alias}.queue AND j.order_key = ${alias}.order_key AND j.status = 'queued' AND j.lease_until > ${now} AND j.id <> ${alias}.id)))`;

export interface ClaimStatements {
  pick: pg.QueryConfig;
  lease: pg.QueryConfig;
}

/** Named (prepared once per connection): a claim runs many times a second per worker. */
export function claimStatements(S: string, schema: string): ClaimStatements {
  const pick = `
    WITH candidates AS MATERIALIZED (
      SELECT i.id, i.queue, i.order_key, i.available_at FROM $S.journal_items i
      WHERE i.queue = $1 AND ${claimRule('i', '$2')}
      ORDER BY i.available_at, i.id
      LIMIT $3
      FOR UPDATE OF i SKIP LOCKED
    )
    SELECT id FROM candidates
    WHERE order_key IS NULL OR pg_try_advisory_xact_lock(hashtextextended(${literal(`caraloom.journal/${schema}/`)} || queue || '/' || order_key, 0))
    ORDER BY available_at, id`;
  const lease = `
    UPDATE $S.journal_items i SET lease_until = $3, lease_owner = $4, updated_at = $2
    WHERE i.id = ANY($1::bigint[]) AND ${claimRule('i', '$2')}
    RETURNING i.*`;
  return { pick: { name: 'caraloom_claim_pick', text: pick.replaceAll('$S', S) }, lease: { name: 'caraloom_claim_lease', text: lease.replaceAll('$S', S) } };
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export async function claimItems<P>(client: pg.ClientBase, sql: ClaimStatements, options: ClaimOptions, now: number, cipher: JournalCipher | undefined): Promise<JournalItem<P>[]> {
  await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
  try {
    const picked = await client.query<{ id: string }>({ ...sql.pick, values: [options.queue, now, options.limit] });
    if (picked.rows.length === 0) {
      await client.query('COMMIT');
      return [];
    }
    const ids = picked.rows.map((row) => row.id);
    const leased = await client.query<ItemRow>({ ...sql.lease, values: [ids, now, now + options.leaseMs, options.owner ?? null] });
    await client.query('COMMIT');
    const byId = new Map(leased.rows.map((row) => [String(row.id), row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row === undefined ? [] : [rowToItem<P>(openItemRow(cipher, row))];
    });
  } catch (error) {
    // A client whose ROLLBACK failed is not reused (a storage failure destroys it).
    if (!isStorageFailure(error)) await client.query('ROLLBACK').catch((rollback: unknown) => Promise.reject(new StorageUnavailableError(rollback)));
    throw error;
  }
}
