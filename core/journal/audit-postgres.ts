import type pg from 'pg';
import { nextEntry } from '../audit/chain.js';
import { entryToRow, rowToEntry, type AuditLog, type AuditRow } from '../audit/log.js';
import type { Clock } from '../clock.js';
import { listSql } from './audit-sqlite.js';

/**
 * Migration: the audit table, append-only by trigger (UPDATE, DELETE and
 * TRUNCATE refused). `$S` is the quoted schema.
 */
export const postgresAuditMigration = `CREATE TABLE $S.audit_log (
     seq bigint PRIMARY KEY,
     at bigint NOT NULL,
     actor text NOT NULL,
     action text NOT NULL,
     subject text,
     remote text,
     detail text NOT NULL DEFAULT '{}',
     prev_hash text NOT NULL,
     hash text NOT NULL
   );
   CREATE INDEX audit_log_at ON $S.audit_log (at);
   CREATE FUNCTION $S.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RAISE EXCEPTION ''audit_log is append-only''; END';
   CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON $S.audit_log FOR EACH ROW EXECUTE FUNCTION $S.audit_log_append_only();
   CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON $S.audit_log FOR EACH STATEMENT EXECUTE FUNCTION $S.audit_log_append_only();`;

export interface PostgresAuditDeps {
  /** Quoted schema. */
  S: string;
  /** Unquoted schema: names the advisory lock. */
  schema: string;
  clock: Clock;
  withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
}

export function createPostgresAudit(deps: PostgresAuditDeps): AuditLog {
  const { S } = deps;
  return {
    append: (input) =>
      deps.withClient(async (client) => {
        await client.query('BEGIN');
        try {
          // Every instance on this schema appends one at a time, so two never
          // chain onto the same previous entry; the seq primary key backs it up.
          await client.query("SET LOCAL synchronous_commit = on");
          await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`caraloom.audit/${deps.schema}`]);
          const last = await client.query<AuditRow>(`SELECT * FROM ${S}.audit_log ORDER BY seq DESC LIMIT 1`);
          const entry = nextEntry(last.rows[0] === undefined ? undefined : rowToEntry(last.rows[0]), input, deps.clock.now());
          await client.query(`INSERT INTO ${S}.audit_log (seq, at, actor, action, subject, remote, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, entryToRow(entry));
          await client.query('COMMIT');
          return entry;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    list: (options = {}) =>
      deps.withClient(async (client) => {
        const { where, values, order, limit } = listSql(options, (index) => `$${index}`);
        const result = await client.query<AuditRow>(`SELECT * FROM ${S}.audit_log ${where} ORDER BY seq ${order} LIMIT ${limit}`, values);
        return result.rows.map(rowToEntry);
      }),
  };
}
