import type pg from 'pg';
import { postgresAuditMigration } from './audit-postgres.js';
import { claimFunctionMigration } from './postgres-claim.js';
import { postgresHeadsMigration } from './postgres-heads.js';

/** `"caraloom"`: schema names are validated, quoting keeps reserved words usable. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Versioned migrations for the PostgreSQL journal, applied in order; the
 * `journal_migrations` table records each one. Never edit a shipped entry:
 * append a new one. `$S` stands for the quoted schema, `$L` for the schema
 * name as a string literal (it names advisory locks inside functions).
 *
 * Times are epoch milliseconds from the services' clock (as in SQLite), so
 * tests drive leases and retries with a manual clock. `payload` and `result`
 * are `json` (text since v3, to hold ciphertext), never `jsonb`: they come
 * back byte for byte as stored (key order, `\u0000` escapes), which matters
 * for payloads that are re-signed. `meta` is
 * `jsonb` because `list()` searches it.
 */
export const postgresMigrations: readonly string[] = [
  `CREATE TABLE $S.journal_items (
     id bigserial PRIMARY KEY,
     queue text NOT NULL,
     key text,
     order_key text,
     status text NOT NULL CHECK (status IN ('queued', 'delivered', 'dead', 'filtered', 'rejected', 'cancelled')),
     payload json NOT NULL,
     meta jsonb NOT NULL DEFAULT '{}',
     attempts integer NOT NULL DEFAULT 0,
     available_at bigint NOT NULL,
     lease_until bigint,
     lease_owner text,
     created_at bigint NOT NULL,
     updated_at bigint NOT NULL,
     last_error text,
     result json
   );
   -- HL7 MSH-4 + MSH-10, relay event ids, idempotency keys: unique across every instance.
   CREATE UNIQUE INDEX journal_items_key ON $S.journal_items (queue, key) WHERE key IS NOT NULL;
   CREATE INDEX journal_items_due ON $S.journal_items (queue, available_at, id) WHERE status = 'queued';
   CREATE INDEX journal_items_order ON $S.journal_items (queue, order_key, id) WHERE status = 'queued';
   -- Items in flight (or whose holder died): small, and what the claim rule asks about other items of a key.
   CREATE INDEX journal_items_leased ON $S.journal_items (queue, order_key) WHERE status = 'queued' AND lease_until IS NOT NULL;
   CREATE INDEX journal_items_status ON $S.journal_items (queue, status, id);
   -- list({ meta }) for operators: find a control id or event id among millions of items.
   CREATE INDEX journal_items_meta ON $S.journal_items USING gin (meta jsonb_path_ops);
   CREATE TABLE $S.journal_attempts (
     id bigserial PRIMARY KEY,
     item_id bigint NOT NULL REFERENCES $S.journal_items (id) ON DELETE CASCADE,
     at bigint NOT NULL,
     ok boolean NOT NULL,
     status integer,
     error text,
     response text,
     duration_ms integer
   );
   CREATE INDEX journal_attempts_item ON $S.journal_attempts (item_id, at);`,
  // v2: the hash-chained audit trail (issue #13 §5).
  postgresAuditMigration,
  // v3: encryption at rest (issue #13 §2). Content columns hold the sealed
  // envelope (`v1:<keyId>:…`, not JSON), so they become text; a plain
  // journal keeps its JSON text as it was. journal_crypto holds the key
  // check (postgres-crypto.ts). The type change rewrites the table once,
  // inside this migration's transaction.
  `ALTER TABLE $S.journal_items ALTER COLUMN payload TYPE text, ALTER COLUMN result TYPE text;
   CREATE TABLE $S.journal_crypto (name text PRIMARY KEY, value text NOT NULL);`,
  // v4: the `blocked` heads rule (postgres-heads.ts) and the claim as one
  // function call (postgres-claim.ts): a claim is one round trip, and walks
  // one row per order key instead of every queued row.
  `${postgresHeadsMigration}
   ${claimFunctionMigration}`,
];

/** A migration's text for one schema (names are validated: a plain identifier, no quotes). */
export function migrationSql(migration: string, schema: string): string {
  return migration.replaceAll('$L', `'${schema.replaceAll("'", "''")}'`).replaceAll('$S', quoteIdent(schema));
}

/**
 * Creates the schema and applies missing migrations in one transaction,
 * under a transaction-scoped advisory lock: when two instances start at once
 * the second waits, then finds the work done. When everything is applied no
 * DDL runs at all, so a role with only USAGE and table privileges can start
 * against a schema its DBA migrated (see docs/postgres.md).
 */
export async function migrate(client: pg.ClientBase, schema: string): Promise<number> {
  const S = quoteIdent(schema);
  await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`caraloom.journal.migrate/${schema}`]);
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists.
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${S}`);
    const table = await client.query('SELECT to_regclass($1) AS name', [`${S}.journal_migrations`]);
    if (table.rows[0]?.name === null) {
      await client.query(`CREATE TABLE ${S}.journal_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    }
    const done = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${S}.journal_migrations`);
    const from = done.rows[0]?.version ?? 0;
    for (let index = from; index < postgresMigrations.length; index += 1) {
      await client.query(migrationSql(postgresMigrations[index]!, schema));
      await client.query(`INSERT INTO ${S}.journal_migrations (version) VALUES ($1)`, [index + 1]);
    }
    await client.query('COMMIT');
    return postgresMigrations.length - from;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
