import type Database from 'better-sqlite3';
import { nextEntry, type AuditEntry } from '../audit/chain.js';
import { entryToRow, rowToEntry, type AuditLog, type AuditListOptions, type AuditRow } from '../audit/log.js';
import type { Clock } from '../clock.js';

/**
 * Migration: the audit table. Triggers refuse UPDATE and DELETE, so only
 * someone bypassing the product (and dropping the triggers) can change a
 * row — and then `caraloom audit verify` shows where the chain breaks.
 */
export const sqliteAuditMigration = `CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     subject TEXT,
     remote TEXT,
     detail TEXT NOT NULL DEFAULT '{}',
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE INDEX audit_log_at ON audit_log(at);
   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
   CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`;

export function listSql(options: AuditListOptions, mark: (index: number) => string): { where: string; values: unknown[]; order: string; limit: number } {
  const clauses: string[] = [];
  const values: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    values.push(value);
    clauses.push(clause.replace('?', mark(values.length)));
  };
  if (options.afterSeq !== undefined) add('seq > ?', options.afterSeq);
  if (options.since !== undefined) add('at >= ?', options.since);
  if (options.until !== undefined) add('at < ?', options.until);
  if (options.action !== undefined) add('action = ?', options.action);
  return { where: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, values, order: options.order === 'desc' ? 'DESC' : 'ASC', limit: Math.min(Math.max(options.limit ?? 100, 1), 10_000) };
}

/** `run` is the journal's error mapper (closed journal, disk full → StorageUnavailableError). */
export function createSqliteAudit(db: Database.Database, clock: Clock, run: <T>(work: () => T) => T): AuditLog {
  // IMMEDIATE takes the write lock before reading the last hash: a CLI and a
  // service on the same file cannot both append after the same entry.
  const append = db.transaction((entry: (previous: AuditEntry | undefined) => AuditEntry) => {
    const last = db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1').get() as AuditRow | undefined;
    const next = entry(last === undefined ? undefined : rowToEntry(last));
    db.prepare('INSERT INTO audit_log (seq, at, actor, action, subject, remote, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(...entryToRow(next));
    return next;
  });
  return {
    async append(input) {
      return run(() => {
        // An audit entry must survive a power cut like an ACKed message does.
        db.pragma('synchronous = FULL');
        try {
          return append.immediate((previous) => nextEntry(previous, input, clock.now()));
        } finally {
          db.pragma('synchronous = NORMAL');
        }
      });
    },
    async list(options = {}) {
      const { where, values, order, limit } = listSql(options, () => '?');
      return run(() => (db.prepare(`SELECT * FROM audit_log ${where} ORDER BY seq ${order} LIMIT ${limit}`).all(...values) as AuditRow[]).map(rowToEntry));
    },
  };
}
