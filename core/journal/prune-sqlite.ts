import type Database from 'better-sqlite3';
import { pruneWhere, type PruneOptions, type PruneRule } from './prune.js';

/**
 * Switches the file to incremental auto-vacuum, so pages freed by a prune
 * can be handed back to the filesystem. A file created before this release
 * needs one VACUUM to switch (it rewrites the file once, at start-up).
 */
export function useIncrementalVacuum(db: Database.Database): void {
  const incremental = 2;
  if (Number(db.pragma('auto_vacuum', { simple: true })) === incremental) return;
  db.pragma('auto_vacuum = INCREMENTAL');
  const tables = db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
  if (tables.n > 0) db.exec('VACUUM');
}

/** One rule, in batches of their own transaction each; returns the rows pruned (or that would be). */
export function pruneSqlite(db: Database.Database, rule: PruneRule, options: PruneOptions = {}): number {
  const where = pruneWhere(rule, () => '?', 'payload');
  if (options.dryRun === true) return (db.prepare(`SELECT count(*) AS n FROM journal_items WHERE ${where.sql}`).get(...where.values) as { n: number }).n;
  const batch = options.batch ?? 500;
  const pick = db.prepare(`SELECT id FROM journal_items WHERE ${where.sql} ORDER BY id LIMIT ${batch}`).pluck();
  const step = db.transaction((): number => {
    const ids = pick.all(...where.values) as number[];
    if (ids.length === 0) return 0;
    const list = ids.join(', '); // integers from the table itself
    if (rule.mode === 'content') {
      db.prepare(`UPDATE journal_items SET payload = 'null', result = NULL WHERE id IN (${list})`).run();
      db.prepare(`UPDATE journal_attempts SET response = NULL WHERE item_id IN (${list})`).run();
    } else {
      db.prepare(`DELETE FROM journal_attempts WHERE item_id IN (${list})`).run();
      db.prepare(`DELETE FROM journal_items WHERE id IN (${list})`).run();
    }
    return ids.length;
  });
  let total = 0;
  for (;;) {
    const done = step();
    total += done;
    if (done < batch) return total;
  }
}

/** Hands freed pages back to the filesystem: incremental vacuum, then a WAL checkpoint that truncates. */
export function reclaimSqlite(db: Database.Database): void {
  db.pragma('incremental_vacuum');
  db.pragma('wal_checkpoint(TRUNCATE)');
}
