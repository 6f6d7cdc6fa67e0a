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
    return withPooledClient(pool, async (client) => {
      // The id is the ciphertext's associated data, so an encrypted journal
      // takes the batch's ids from the sequence first (one round trip per
      // batch, ascending so id order stays enqueue order) and seals with them.
      const ids = cipher === undefined ? rows.map(() => null) : (await client.query<{ id: string }>({ name: 'caraloom_enqueue_ids', text: `SELECT nextval('${S}.journal_items_id_seq') AS id FROM generate_series(1, $1)`, values: [rows.length] })).rows.map((row) => row.id).sort((a, b) => Number(a) - Number(b));
      const payloads = rows.map((row, index) => (ids[index] === null ? row.payload : sealJson(cipher, itemAad(ids[index]!, 'payload'), row.payload)));
      try {
        await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
        // The session default is off (postgres.ts): the caller acknowledges
        // once this resolves, so this commit waits for its WAL flush.
        await client.query('SET LOCAL synchronous_commit TO on');
        // Ids are drawn in input order (the sort below consumes the whole CTE
        // first), so within a batch enqueue order is id order, and the ordinal
        // tells which rows went in. Rows are inserted sorted by key: two
        // instances inserting the same keys at once then wait on each other in
        // the same order and cannot deadlock on the unique index.
        const inserted = await client.query<ItemRow & { ord: string }>({
          name: 'caraloom_enqueue',
          text: `WITH input AS MATERIALIZED (
             SELECT coalesce(u.given_id, nextval('${S}.journal_items_id_seq')) AS id, u.*
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::bigint[], $9::bigint[]) WITH ORDINALITY
               AS u(queue, key, order_key, status, payload, meta, available_at, given_id, ord)
           ), ins AS (
             INSERT INTO ${S}.journal_items (id, queue, key, order_key, status, payload, meta, available_at, created_at, updated_at)
             SELECT id, queue, key, order_key, status, payload, meta, coalesce(available_at, $8), $8, $8 FROM input ORDER BY queue, key, ord
             ON CONFLICT DO NOTHING
             RETURNING *
           )
           SELECT input.ord, ins.* FROM ins JOIN input USING (id)`,
          values: [rows.map((r) => r.queue), rows.map((r) => r.key), rows.map((r) => r.orderKey), rows.map((r) => r.status), payloads, rows.map((r) => r.meta), rows.map((r) => r.availableAt), now, ids],
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
        }
        // NOTIFY is transactional: other instances hear it only once the rows are visible.
        if (queues.size > 0) await client.query('SELECT pg_notify($1, q) FROM unnest($2::text[]) AS q', [channel, [...queues]]);
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
