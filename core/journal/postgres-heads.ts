/**
 * The `blocked` heads rule on PostgreSQL (migration v4), as SQLite keeps it:
 * an item waiting behind an earlier queued item of its order key is
 * `blocked`, so claims and `nextDueAt` walk an index of heads (one row per
 * order key, plus keyless items) instead of testing every queued row
 * against its predecessors.
 *
 * Here `blocked` is only ever a filter in front of the claim rule
 * (postgres-claim.ts), which still decides: a row wrongly left unblocked
 * (a "false head") is skipped by the rule and costs a look, never order.
 * What must not happen is the opposite — the earliest queued item of a key
 * left blocked, which nobody would ever claim. The invariant kept is:
 * **the smallest-id queued item of every order key is not blocked.**
 *
 * Under READ COMMITTED, an enqueue deciding "blocked" and a completion
 * deciding "unblock the next one" could each miss the other's uncommitted
 * row. So both take an advisory lock on the key (`caraloom.journal.heads/
 * <schema>/<queue>/<order key>`, another namespace than the claim's):
 *
 * - enqueue and replay take it **shared**, then decide in a new statement
 *   (a snapshot taken after the lock): blocked = a queued item of the key
 *   with a *smaller id* is visible. Enqueues of one key still run side by
 *   side; whichever commits first, a row is only ever blocked behind an
 *   earlier id, so the earliest is never blocked by a later one.
 * - leaving the queue (delivered, dead, cancelled) takes it **exclusive**
 *   and unblocks the earliest queued item of the key left, in a statement
 *   whose snapshot comes after every enqueue holding the lock committed.
 *
 * Locks are taken in hash order (no deadlock between batches) and are
 * transaction-scoped. The decisions run inside VOLATILE plpgsql functions,
 * whose every statement takes a fresh snapshot, so each completion stays one
 * round trip. Instances of a release before v4 neither block nor unblock:
 * finish upgrading them all; meanwhile `nextDueAt` repairs a key left
 * blocked behind nothing (see `unstickSql`).
 *
 * In these texts `$S` is the quoted schema and `$L` the schema name as a
 * string literal (postgres-schema.ts substitutes both).
 */

const headLock = (queue: string, orderKey: string) => `hashtextextended('caraloom.journal.heads/' || $L || '/' || ${queue} || '/' || ${orderKey}, 0)`;

/** Migration v4. */
export const postgresHeadsMigration = `ALTER TABLE $S.journal_items ADD COLUMN blocked boolean NOT NULL DEFAULT false;
   UPDATE $S.journal_items i SET blocked = true
   WHERE i.status = 'queued' AND i.order_key IS NOT NULL AND EXISTS (
     SELECT 1 FROM $S.journal_items j WHERE j.queue = i.queue AND j.order_key = i.order_key AND j.status = 'queued' AND j.id < i.id);
   DROP INDEX $S.journal_items_due;
   CREATE INDEX journal_items_heads ON $S.journal_items (queue, available_at, id) WHERE status = 'queued' AND NOT blocked;
   -- Only heads are ever leased, so the claim rule's "a lease on the key" looks here. With
   -- journal_items_leased gone no index covers lease_until: taking a lease is a HOT update
   -- (no index entry written), given room on the page (fillfactor, for pages written from now on).
   CREATE INDEX journal_items_head_keys ON $S.journal_items (queue, order_key) WHERE status = 'queued' AND NOT blocked AND order_key IS NOT NULL;
   DROP INDEX $S.journal_items_leased;
   ALTER TABLE $S.journal_items SET (fillfactor = 80);

   -- Takes the heads locks of these (queue, order key) pairs in hash order; shared for enqueues.
   CREATE FUNCTION $S.journal_lock_heads(p_queues text[], p_keys text[], p_exclusive boolean) RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
   BEGIN
     IF p_exclusive THEN
       PERFORM pg_advisory_xact_lock(h) FROM (SELECT DISTINCT ${headLock('q', 'k')} AS h FROM unnest(p_queues, p_keys) AS u(q, k) WHERE k IS NOT NULL ORDER BY 1) s;
     ELSE
       PERFORM pg_advisory_xact_lock_shared(h) FROM (SELECT DISTINCT ${headLock('q', 'k')} AS h FROM unnest(p_queues, p_keys) AS u(q, k) WHERE k IS NOT NULL ORDER BY 1) s;
     END IF;
   END $fn$;

   -- Items p_done of these keys have left the queue: the earliest queued item left of each key becomes its head.
   CREATE FUNCTION $S.journal_unblock(p_queues text[], p_keys text[], p_done bigint[]) RETURNS integer LANGUAGE plpgsql VOLATILE AS $fn$
   DECLARE n integer;
   BEGIN
     PERFORM $S.journal_lock_heads(p_queues, p_keys, true);
     UPDATE $S.journal_items i SET blocked = false
     FROM (SELECT DISTINCT q, k FROM unnest(p_queues, p_keys) AS u(q, k) WHERE k IS NOT NULL) u,
       LATERAL (SELECT j.id FROM $S.journal_items j WHERE j.queue = u.q AND j.order_key = u.k AND j.status = 'queued' AND j.id <> ALL (p_done) ORDER BY j.id LIMIT 1) head
     WHERE i.id = head.id AND i.blocked;
     GET DIAGNOSTICS n = ROW_COUNT;
     RETURN n;
   END $fn$;

   -- Whether a replayed item waits: an earlier queued item of its key exists.
   CREATE FUNCTION $S.journal_blocked(p_queue text, p_key text, p_id bigint) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $fn$
   BEGIN
     IF p_key IS NULL THEN RETURN false; END IF;
     PERFORM $S.journal_lock_heads(ARRAY[p_queue], ARRAY[p_key], false);
     RETURN EXISTS (SELECT 1 FROM $S.journal_items j WHERE j.queue = p_queue AND j.order_key = p_key AND j.status = 'queued' AND j.id < p_id);
   END $fn$;`;

/**
 * Unblocks the earliest queued item of every key in `queue` whose queued
 * items are all blocked (nothing would ever claim them). Needs no lock:
 * unblocking only ever adds a false head. A full pass over the queue's
 * queued rows, so `nextDueAt` runs it rarely.
 */
export const unstickSql = `UPDATE $S.journal_items SET blocked = false WHERE id IN (
    SELECT min(id) FROM $S.journal_items WHERE queue = $1 AND status = 'queued' AND order_key IS NOT NULL
    GROUP BY order_key HAVING bool_and(blocked))`;
