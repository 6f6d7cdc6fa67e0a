import type pg from 'pg';
import type { Clock } from '../clock.js';
import { CaraloomError, StorageUnavailableError } from '../errors.js';
import { isStorageFailure, storageError, withPooledClient } from './postgres-errors.js';
import { itemAad, openItemRow, sealJson, type JournalCipher } from './cipher.js';
import { rowToItem, type ItemRow } from './rows.js';
import type { EnqueueInput, EnqueueResult, JournalItem } from './types.js';

/** Rows in one INSERT; a larger backlog of callers is split over several transactions. */
const maxBatchRows = 2_000;
/**
 * Batches committing at once per instance. Two lets one batch fill while the
 * other waits for its WAL flush; more mostly adds lock and fsync contention.
 */
const maxInFlight = 2;

interface Row {
  queue: string;
  key: string | null;
  orderKey: string | null;
  status: string;
  payload: string;
  meta: string;
  availableAt: number | null;
}

interface Pending {
  rows: Row[];
  resolve: (results: EnqueueResult[]) => void;
  reject: (error: unknown) => void;
}

export interface BatcherDeps {
  pool: pg.Pool;
  /** Quoted schema. */
  S: string;
  channel: string;
  clock: Clock;
  /** Seals payloads (postgres-crypto.ts); undefined for a journal that was never encrypted. */
  cipher: JournalCipher | undefined;
  /** After a commit, with the queues that received due work. */
  committed: (queues: ReadonlySet<string>) => void;
}

/** PostgreSQL `text` refuses NUL; refusing it here keeps a bad input from failing a whole batch. */
function text(value: string | undefined, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.includes('\0')) throw new CaraloomError('JOURNAL_INPUT_INVALID', `expected \`${name}\` to be a string without NUL characters`);
  return value;
}

const isRetryableAbort = (error: unknown): boolean => String((error as { code?: unknown } | null)?.code).startsWith('40');

function toRow(input: EnqueueInput): Row {
  const availableAt = input.availableAt ?? null;
  if (availableAt !== null && !Number.isSafeInteger(availableAt)) throw new CaraloomError('JOURNAL_INPUT_INVALID', 'expected `availableAt` to be an integer epoch ms');
  return {
    queue: text(input.queue, 'queue')!,
    key: text(input.key, 'key'),
    orderKey: text(input.orderKey, 'orderKey'),
    status: input.status ?? 'queued',
    payload: JSON.stringify(input.payload ?? null),
    meta: JSON.stringify(input.meta ?? {}),
    availableAt,
  };
}

/**
 * Group commit for PostgreSQL: every enqueue that arrives while the previous
 * batch is committing joins the next one, which is one multi-row
 * `INSERT … ON CONFLICT DO NOTHING` in one transaction. Each caller's promise
 * resolves only after that COMMIT returned (persist, then ACK). If a batch
 * fails for a reason other than the database being unavailable (one caller's
 * bad input), each caller's rows are retried in their own transaction so the
 * others still commit: all or nothing per caller, as `enqueueMany` promises.
 */
export class EnqueueBatcher {
  readonly #deps: BatcherDeps;
  #pending: Pending[] = [];
  #scheduled = false;
  #inFlight = new Set<Promise<void>>();

  constructor(deps: BatcherDeps) {
    this.#deps = deps;
  }

  submit(inputs: readonly EnqueueInput[]): Promise<EnqueueResult[]> {
    return new Promise((resolve, reject) => {
      let rows: Row[];
      try {
        rows = inputs.map(toRow);
      } catch (error) {
        return reject(error);
      }
      if (rows.length === 0) return resolve([]);
      this.#pending.push({ rows, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves when nothing is pending or committing (for close). */
  async idle(): Promise<void> {
    while (this.#pending.length > 0 || this.#inFlight.size > 0) {
      if (this.#pending.length > 0) this.#drain();
      await Promise.allSettled([...this.#inFlight]);
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight.size >= maxInFlight) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#pending.length > 0 && this.#inFlight.size < maxInFlight) {
      const batch: Pending[] = [];
      let size = 0;
      while (this.#pending.length > 0 && (batch.length === 0 || size + this.#pending[0]!.rows.length <= maxBatchRows)) {
        const next = this.#pending.shift()!;
        batch.push(next);
        size += next.rows.length;
      }
      const done: Promise<void> = this.#commit(batch).finally(() => {
        this.#inFlight.delete(done);
        if (this.#pending.length > 0) this.#schedule();
      });
      this.#inFlight.add(done);
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    try {
      const rows = batch.flatMap((entry) => entry.rows);
      // A deadlock or serialization abort (class 40) is resolved by running again.
      const results = await this.#write(rows).catch((error: unknown) => (isRetryableAbort(error) ? this.#write(rows) : Promise.reject(error)));
      let offset = 0;
      for (const entry of batch) {
        entry.resolve(results.slice(offset, offset + entry.rows.length));
        offset += entry.rows.length;
      }
      return;
    } catch (error) {
      if (batch.length === 1 || isStorageFailure(error)) {
        for (const entry of batch) entry.reject(storageError(error));
        return;
      }
    }
    for (const entry of batch) {
      await this.#write(entry.rows).then(entry.resolve, (error: unknown) => entry.reject(storageError(error)));
    }
  }

  async #write(rows: Row[]): Promise<EnqueueResult[]> {
    const { pool, S, channel, clock, cipher } = this.#deps;
    const now = clock.now();
    const keyed = rows.filter((row) => row.status === 'queued' && row.orderKey !== null);
    return withPooledClient(pool, async (client) => {
      try {
        // One round trip. The session default is off (postgres.ts): the
        // caller acknowledges once this resolves, so this commit waits for
        // its WAL flush.
        await client.query('BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit TO on');
        // Shared heads locks before anything reads the keys or draws an id
        // (postgres-heads.ts): the blocked test below sees every completion
        // that committed, and a completion waits for this commit.
        if (keyed.length > 0) await client.query({ name: 'caraloom_enqueue_lock', text: `SELECT ${S}.journal_lock_heads($1, $2, false)`, values: [keyed.map((r) => r.queue), keyed.map((r) => r.orderKey)] });
        // The id is the ciphertext's associated data, so an encrypted journal
        // takes the batch's ids from the sequence first (ascending so id
        // order stays enqueue order) and seals with them.
        const ids = cipher === undefined ? rows.map(() => null) : (await client.query<{ id: string }>({ name: 'caraloom_enqueue_ids', text: `SELECT nextval('${S}.journal_items_id_seq') AS id FROM generate_series(1, $1)`, values: [rows.length] })).rows.map((row) => row.id).sort((a, b) => Number(a) - Number(b));
        const payloads = rows.map((row, index) => (ids[index] === null ? row.payload : sealJson(cipher, itemAad(ids[index]!, 'payload'), row.payload)));
        // Ids are drawn in input order (the sort below consumes the whole CTE
        // first), so within a batch enqueue order is id order, and the ordinal
        // tells which rows went in. A queued row is blocked behind an earlier
        // row of its key in this batch or an earlier-id queued item. Rows are
        // inserted sorted by key: two instances inserting the same keys at
        // once then wait on each other in the same order and cannot deadlock
        // on the unique index. NOTIFY is transactional: other instances hear
        // it only once the rows are visible.
        const inserted = await client.query<ItemRow & { ord: string }>({
          name: 'caraloom_enqueue',
          text: `WITH input AS MATERIALIZED (
             SELECT coalesce(u.given_id, nextval('${S}.journal_items_id_seq')) AS id, u.*
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::bigint[], $9::bigint[]) WITH ORDINALITY
               AS u(queue, key, order_key, status, payload, meta, available_at, given_id, ord)
           ), ranked AS (
             SELECT input.*, (input.status = 'queued' AND input.order_key IS NOT NULL AND (
                 row_number() OVER (PARTITION BY input.queue, input.order_key, input.status ORDER BY input.ord) > 1
                 OR EXISTS (SELECT 1 FROM ${S}.journal_items j WHERE j.queue = input.queue AND j.order_key = input.order_key AND j.status = 'queued' AND j.id < input.id))) AS blocked
             FROM input
           ), ins AS (
             INSERT INTO ${S}.journal_items (id, queue, key, order_key, status, payload, meta, available_at, created_at, updated_at, blocked)
             SELECT id, queue, key, order_key, status, payload, meta, coalesce(available_at, $8), $8, $8, blocked FROM ranked ORDER BY queue, key, ord
             ON CONFLICT DO NOTHING
             RETURNING *
           ), woken AS (
             SELECT pg_notify($10, q) FROM (SELECT DISTINCT queue AS q FROM ins WHERE status = 'queued') d
           )
           SELECT input.ord, ins.*, (SELECT count(*) FROM woken) AS woken FROM ins JOIN input USING (id)`,
          values: [rows.map((r) => r.queue), rows.map((r) => r.key), rows.map((r) => r.orderKey), rows.map((r) => r.status), payloads, rows.map((r) => r.meta), rows.map((r) => r.availableAt), now, ids, channel],
        });
        const results: Array<EnqueueResult | undefined> = new Array(rows.length);
        const queues = new Set<string>();
        for (const row of inserted.rows) {
          // Built with the plain payload just sealed: no need to open it again.
          results[Number(row.ord) - 1] = { item: rowToItem({ ...row, payload: rows[Number(row.ord) - 1]!.payload }), created: true };
          if (row.status === 'queued') queues.add(row.queue);
        }
        const missing = rows.map((row, index) => ({ row, index })).filter(({ index }) => results[index] === undefined);
        if (missing.length > 0) {
          // A new statement sees rows other instances committed while ON CONFLICT waited for them.
          const existing = await client.query<ItemRow>(
            `SELECT i.* FROM ${S}.journal_items i JOIN unnest($1::text[], $2::text[]) AS k(queue, key) ON i.queue = k.queue AND i.key = k.key`,
            [missing.map(({ row }) => row.queue), missing.map(({ row }) => row.key)],
          );
          const byKey = new Map<string, JournalItem>(existing.rows.map((row) => [`${row.queue}\n${row.key}`, rowToItem(openItemRow(cipher, row))]));
          for (const { row, index } of missing) {
            const item = byKey.get(`${row.queue}\n${row.key}`);
            if (item === undefined) throw new CaraloomError('JOURNAL_CONFLICT', 'an enqueue conflicted with an item that is gone');
            results[index] = { item, created: false };
          }
          // A repeat that was first of its key in this batch left the next row
          // blocked behind nothing: the earliest queued item of such a key is its head.
          if (keyed.length > 0) {
            await client.query(
              `UPDATE ${S}.journal_items SET blocked = false WHERE id IN (
                 SELECT min(j.id) FROM ${S}.journal_items j JOIN unnest($1::text[], $2::text[]) AS k(queue, order_key) ON j.queue = k.queue AND j.order_key = k.order_key
                 WHERE j.status = 'queued' GROUP BY j.queue, j.order_key HAVING bool_and(j.blocked))`,
              [keyed.map((r) => r.queue), keyed.map((r) => r.orderKey)],
            );
          }
        }
        await client.query('COMMIT');
        this.#deps.committed(queues);
        return results as EnqueueResult[];
      } catch (error) {
        // A client whose ROLLBACK failed is not reused (a storage failure destroys it).
        if (!isStorageFailure(error)) await client.query('ROLLBACK').catch((rollback: unknown) => Promise.reject(new StorageUnavailableError(rollback)));
        throw error;
      }
    });
  }
}
