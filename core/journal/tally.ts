/**
 * Exact counts of a queue's items over a time window, for dashboards: how
 * many were received in each time bucket, by status and by the meta fields
 * asked for (door, mapping, ACK code…). One GROUP BY in the store; no
 * payload is read or decrypted. The window's lower end is given as an id as
 * well as a time (`afterId`, from a binary search on receive time), so the
 * store walks only the window's rows by primary key.
 */
import type { ItemStatus } from './types.js';

export interface TallyOptions {
  queue: string;
  /** Epoch ms: items received at or after. */
  since: number;
  /** Only ids above this one: every item of the window has a larger id. @default 0 */
  afterId?: number | undefined;
  /** Width of one time bucket in ms; bucket 0 starts at `since`. */
  bucketMs: number;
  /** Meta fields to count by (plain names: letters, digits, `_`). */
  fields: readonly string[];
}

export interface TallyRow {
  /** `floor((createdAt - since) / bucketMs)`. */
  bucket: number;
  status: ItemStatus;
  /** The item's meta value of each field asked for, as text, or null. */
  values: Array<string | null>;
  count: number;
}

/** Field names are written into the statement (so SQLite can use expression indexes): only plain names. */
export function checkTallyFields(fields: readonly string[]): void {
  for (const field of fields) if (!/^[A-Za-z0-9_]{1,40}$/.test(field)) throw new TypeError(`tally: field ${JSON.stringify(field)} is not a plain name`);
}

/** SQLite: `json_extract(meta, '$."field"')`, grouped with bucket and status. */
export function sqliteTallyQuery(options: TallyOptions): { sql: string; params: unknown[] } {
  checkTallyFields(options.fields);
  const columns = options.fields.map((field, i) => `CAST(json_extract(meta, '$."${field}"') AS TEXT) AS f${i}`);
  const groups = options.fields.map((_, i) => `f${i}`);
  const sql = `SELECT (created_at - ?) / ? AS bucket, status, ${[...columns, 'count(*) AS n'].join(', ')}
    FROM journal_items WHERE id > ? AND queue = ? AND created_at >= ?
    GROUP BY ${['bucket', 'status', ...groups].join(', ')}`;
  return { sql, params: [options.since, options.bucketMs, options.afterId ?? 0, options.queue, options.since] };
}

/** PostgreSQL: `meta ->> 'field'`, grouped with bucket and status. `$S` is the quoted schema. */
export function postgresTallyQuery(options: TallyOptions): { sql: string; params: unknown[] } {
  checkTallyFields(options.fields);
  const columns = options.fields.map((field, i) => `meta ->> '${field}' AS f${i}`);
  const groups = options.fields.map((_, i) => `f${i}`);
  const sql = `SELECT floor((created_at - $1) / $2::double precision)::int AS bucket, status, ${[...columns, 'count(*) AS n'].join(', ')}
    FROM $S.journal_items WHERE id > $3 AND queue = $4 AND created_at >= $1
    GROUP BY ${['bucket', 'status', ...groups].join(', ')}`;
  return { sql, params: [options.since, options.bucketMs, options.afterId ?? 0, options.queue] };
}

export function tallyRows(rows: ReadonlyArray<Record<string, unknown>>, fields: readonly string[]): TallyRow[] {
  return rows.map((row) => ({
    bucket: Math.floor(Number(row.bucket)),
    status: row.status as ItemStatus,
    values: fields.map((_, i) => (row[`f${i}`] === null || row[`f${i}`] === undefined ? null : String(row[`f${i}`]))),
    count: Number(row.n),
  }));
}
