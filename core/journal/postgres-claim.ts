import type pg from 'pg';
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
 * order key holds an unexpired lease (only heads are claimed and a head is
 * never blocked again, so only heads are looked at; postgres-heads.ts). Ids
 * come from a sequence at insert time but become visible at commit, so an
 * item can appear *after* a later-id item of its key was claimed (two
 * instances enqueueing one patient at once); the lease rule makes it wait
 * for that delivery instead of running beside it.
 *
 * Evaluating the rule in one `SELECT … FOR UPDATE SKIP LOCKED` is not
 * enough under READ COMMITTED: SKIP LOCKED only keeps two claimers off the
 * *same row*, while the rule reads *other* rows of the key from a snapshot
 * taken when the statement began. Two claimers could each see the other's
 * item as unleased and take both. So a claim is one transaction in three
 * statements (one function call, see below):
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
 * makes one of them wait for the next claim. Step 3 depends on a
 * per-statement snapshot, so READ COMMITTED is required (a REPEATABLE READ
 * default would silently break it; the function below refuses it).
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
      WHERE j.queue = ${alias}.queue AND j.order_key = ${alias}.order_key AND j.status = 'queued' AND NOT j.blocked AND j.lease_until > ${now} AND j.id <> ${alias}.id)))`;

/**
 * Migration v4 (with postgres-heads.ts): the claim as one VOLATILE
 * function, so the three steps above are one round trip. Each statement in
 * it takes a fresh snapshot under READ COMMITTED, which step 3 needs; the
 * function refuses to run under another isolation level rather than
 * silently break the rule (connections default to READ COMMITTED, see
 * postgres.ts). Step 1 walks the heads index (`NOT blocked`). `$S` is the
 * quoted schema, `$L` the schema name as a string literal.
 */
export const claimFunctionMigration = `CREATE FUNCTION $S.journal_claim(p_queue text, p_now bigint, p_limit integer, p_lease_until bigint, p_owner text) RETURNS SETOF $S.journal_items LANGUAGE plpgsql VOLATILE AS $fn$
   DECLARE picked bigint[];
   BEGIN
     IF current_setting('transaction_isolation') <> 'read committed' THEN
       RAISE EXCEPTION 'caraloom journal claims need READ COMMITTED, not %', current_setting('transaction_isolation');
     END IF;
     WITH candidates AS MATERIALIZED (
       SELECT i.id, i.queue, i.order_key, i.available_at FROM $S.journal_items i
       WHERE i.queue = p_queue AND NOT i.blocked AND ${claimRule('i', 'p_now')}
       ORDER BY i.available_at, i.id
       LIMIT p_limit
       FOR UPDATE OF i SKIP LOCKED
     )
     SELECT array_agg(id) INTO picked FROM candidates
     WHERE order_key IS NULL OR pg_try_advisory_xact_lock(hashtextextended('caraloom.journal/' || $L || '/' || queue || '/' || order_key, 0));
     IF picked IS NULL THEN RETURN; END IF;
     RETURN QUERY WITH leased AS (
       UPDATE $S.journal_items i SET lease_until = p_lease_until, lease_owner = p_owner, updated_at = p_now
       -- Joined on the ids rather than id = ANY: the planner once AND-ed the whole queued index into this lookup.
       FROM unnest(picked) AS p(id)
       WHERE i.id = p.id AND ${claimRule('i', 'p_now')}
       RETURNING i.*
     )
     SELECT * FROM leased ORDER BY available_at, id;
   END $fn$;`;

/** Named (prepared once per connection): a claim runs many times a second per worker. */
export const claimStatement = (S: string): pg.QueryConfig => ({ name: 'caraloom_claim', text: `SELECT * FROM ${S}.journal_claim($1, $2, $3, $4, $5)` });

export async function claimItems<P>(client: pg.ClientBase, sql: pg.QueryConfig, options: ClaimOptions, now: number, cipher: JournalCipher | undefined): Promise<JournalItem<P>[]> {
  const leased = await client.query<ItemRow>({ ...sql, values: [options.queue, now, options.limit, now + options.leaseMs, options.owner ?? null] });
  return leased.rows.map((row) => rowToItem<P>(openItemRow(cipher, row)));
}
