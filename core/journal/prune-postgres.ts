import type pg from 'pg';
import { defaultPruneBatch, pruneWhere, type PruneOptions, type PruneRule } from './prune.js';

type Query = <R extends pg.QueryResultRow>(text: string, values: unknown[]) => Promise<pg.QueryResult<R>>;

/**
 * One rule on PostgreSQL, in small autocommitted batches: each statement
 * is its own transaction and locks at most `batch` finished rows (SKIP
 * LOCKED: never a row someone else holds), so intake, claims and completions
 * (which touch new and queued rows) never wait behind a long prune, and no
 * long transaction holds back autovacuum. PostgreSQL does not give the space
 * to the OS: autovacuum marks the dead tuples reusable, `VACUUM FULL` or
 * pg_repack shrink the table (docs/phi.md). `$S` is the schema.
 */
export async function prunePostgres(query: Query, rule: PruneRule, options: PruneOptions = {}): Promise<number> {
  const where = pruneWhere(rule, (index) => `$${index}`, 'payload::text');
  if (options.dryRun === true) return Number((await query<{ n: string }>(`SELECT count(*) AS n FROM $S.journal_items WHERE ${where.sql}`, where.values)).rows[0]!.n);
  const batch = options.batch ?? defaultPruneBatch;
  const pick = `SELECT id FROM $S.journal_items WHERE ${where.sql} ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED`;
  // Attempts go with their items (ON DELETE CASCADE).
  const statement =
    rule.mode === 'content'
      ? `WITH picked AS (${pick}), items AS (UPDATE $S.journal_items SET payload = 'null'::json, result = NULL WHERE id IN (SELECT id FROM picked) RETURNING id),
           attempts AS (UPDATE $S.journal_attempts SET response = NULL WHERE item_id IN (SELECT id FROM items)) SELECT count(*) AS n FROM items`
      : `WITH picked AS (${pick}), items AS (DELETE FROM $S.journal_items WHERE id IN (SELECT id FROM picked) RETURNING id) SELECT count(*) AS n FROM items`;
  let total = 0;
  for (;;) {
    const done = Number((await query<{ n: string }>(statement, where.values)).rows[0]!.n);
    total += done;
    if (done > 0) options.onBatch?.(done);
    if (done < batch) return total;
  }
}
