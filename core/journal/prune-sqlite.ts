import { statfsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { defaultPruneBatch, pruneWhere, type PruneOptions, type PruneRule } from './prune.js';

const incremental = 2;

/**
 * Switches the file to incremental auto-vacuum, so pages freed by a prune
 * can be handed back to the filesystem (issue #13 §3). SQLite only takes the
 * setting while the file has no header yet; once `journal_mode = WAL` (or a
 * first table) has written one, only a VACUUM switches it. So: ask, and if
 * the file did not take it, VACUUM once. That is instant on a new file and
 * rewrites an upgraded journal once, at open, before the service takes any
 * intake. A VACUUM needs about the file's size in free space; when the disk
 * has less, the file stays as it was (pruned pages are still reused, just
 * not given back) and the next open tries again.
 */
export function useIncrementalVacuum(db: Database.Database): void {
  if (Number(db.pragma('auto_vacuum', { simple: true })) === incremental) return;
  db.pragma('auto_vacuum = INCREMENTAL');
  if (Number(db.pragma('auto_vacuum', { simple: true })) === incremental) return;
  if (!roomToVacuum(db)) return;
  db.exec('VACUUM');
}

/** A VACUUM writes a full copy (to a temp file and the WAL) before it drops the old pages. */
function roomToVacuum(db: Database.Database): boolean {
  if (db.memory) return true;
  const bytes = Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
  try {
    const disk = statfsSync(db.name);
    return disk.bavail * disk.bsize > 2 * bytes;
  } catch {
    return true; // a file system without statfs: let SQLite answer
  }
}

/** One rule, in batches of their own transaction each; returns the rows pruned (or that would be). */
export function pruneSqlite(db: Database.Database, rule: PruneRule, options: PruneOptions = {}): number {
  const where = pruneWhere(rule, () => '?', 'payload');
  if (options.dryRun === true) return (db.prepare(`SELECT count(*) AS n FROM journal_items WHERE ${where.sql}`).get(...where.values) as { n: number }).n;
  const batch = options.batch ?? defaultPruneBatch;
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
    if (done > 0) options.onBatch?.(done);
    if (done < batch) return total;
  }
}

/**
 * Hands freed pages back to the filesystem: incremental vacuum in steps of
 * `pages` (each its own short write transaction, so an enqueue waits at most
 * one step), then a WAL checkpoint that truncates, so neither the main file
 * nor the -wal keeps the freed pages. Returns the pages given back.
 */
export function reclaimSqlite(db: Database.Database, pages = 2_048): number {
  let freed = 0;
  for (;;) {
    const free = Number(db.pragma('freelist_count', { simple: true }));
    if (free === 0) break;
    db.pragma(`incremental_vacuum(${Math.min(free, pages)})`);
    const left = Number(db.pragma('freelist_count', { simple: true }));
    if (left >= free) break; // not an incremental file (VACUUM skipped for lack of disk): nothing to give back
    freed += free - left;
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  return freed;
}
