import { sqliteAuditMigration } from './audit-sqlite.js';

/** Versioned migrations for the SQLite journal; `user_version` records the last applied. */
export const sqliteMigrations: readonly string[] = [
  `CREATE TABLE journal_items (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     queue TEXT NOT NULL,
     key TEXT,
     order_key TEXT,
     status TEXT NOT NULL,
     payload TEXT NOT NULL,
     meta TEXT NOT NULL DEFAULT '{}',
     attempts INTEGER NOT NULL DEFAULT 0,
     available_at INTEGER NOT NULL,
     lease_until INTEGER,
     lease_owner TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     last_error TEXT,
     result TEXT
   );
   CREATE UNIQUE INDEX journal_items_key ON journal_items(queue, key) WHERE key IS NOT NULL;
   CREATE INDEX journal_items_due ON journal_items(queue, available_at, id) WHERE status = 'queued';
   CREATE INDEX journal_items_order ON journal_items(queue, order_key, id) WHERE status = 'queued';
   CREATE INDEX journal_items_status ON journal_items(queue, status, id);
   CREATE TABLE journal_attempts (
     item_id INTEGER NOT NULL,
     at INTEGER NOT NULL,
     ok INTEGER NOT NULL,
     status INTEGER,
     error TEXT,
     response TEXT,
     duration_ms INTEGER
   );
   CREATE INDEX journal_attempts_item ON journal_attempts(item_id, at);`,
  // v2: `blocked` marks an item waiting behind an earlier queued item of its
  // order key, so claims and nextDueAt read only heads through an index
  // instead of checking every queued row against its predecessors (which made
  // a large backlog drain at a few items a second).
  `ALTER TABLE journal_items ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0;
   UPDATE journal_items SET blocked = 1
   WHERE status = 'queued' AND order_key IS NOT NULL AND EXISTS (
     SELECT 1 FROM journal_items j
     WHERE j.queue = journal_items.queue AND j.order_key = journal_items.order_key AND j.status = 'queued' AND j.id < journal_items.id);
   DROP INDEX journal_items_due;
   CREATE INDEX journal_items_heads ON journal_items(queue, available_at, id) WHERE status = 'queued' AND blocked = 0;
   CREATE INDEX journal_items_leased ON journal_items(queue, lease_until) WHERE status = 'queued' AND lease_until IS NOT NULL;`,
  // v3: the hash-chained audit trail (issue #13 §5).
  sqliteAuditMigration,
  // v4: finding a message by its control id (MSH-10) alone, the console's and
  // `messages list --control-id`'s commonest search, reads an index instead of
  // every row's meta (0.5 s at 100,000 messages).
  `CREATE INDEX journal_items_control ON journal_items(json_extract(meta, '$."controlId"'));`,
];
