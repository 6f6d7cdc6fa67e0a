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

/**
 * SQLite: one `json_extract(meta, path1, path2, …)` per row, which parses the
 * meta once and returns the values as a JSON array (four separate extracts
 * parsed it four times: most of the query's time), grouped with bucket and status.
 */
export function sqliteTallyQuery(options: TallyOptions): { sql: string; params: unknown[] } {
  checkTallyFields(options.fields);
  const values = options.fields.length === 0 ? `'[]'` : `json_extract(meta, ${options.fields.map((field) => `'$."${field}"'`).join(', ')})`;
  // Integer division on integers: better-sqlite3 may bind a JS number as REAL, and a REAL quotient
  // would make every row its own group. `+queue` keeps the planner on the id range (the window's
  // rows in primary-key order) instead of the status index, which would visit them in random order.
  const sql = `SELECT (created_at - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS bucket, status, ${options.fields.length === 1 ? `json_array(${values})` : values} AS f, count(*) AS n
    FROM journal_items WHERE id > CAST(? AS INTEGER) AND +queue = ? AND created_at >= CAST(? AS INTEGER)
    GROUP BY bucket, status, f`;
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

const asText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** Rows of either query: SQLite's values come as one JSON array `f`, PostgreSQL's as `f0`, `f1`, …. */
export function tallyRows(rows: ReadonlyArray<Record<string, unknown>>, fields: readonly string[]): TallyRow[] {
  return rows.map((row) => {
    const packed = typeof row.f === 'string' ? (JSON.parse(row.f) as unknown[]) : undefined;
    return {
      bucket: Math.floor(Number(row.bucket)),
      status: row.status as ItemStatus,
      values: fields.map((_, i) => asText(packed === undefined ? row[`f${i}`] : packed[i])),
      count: Number(row.n),
    };
  });
}
