import pg from 'pg';
import { systemClock, type Clock } from '../clock.js';
import { ConfigError, StorageUnavailableError } from '../errors.js';
import { claimItems, claimRule, claimStatement } from './postgres-claim.js';
import { unstickSql } from './postgres-heads.js';
import { EnqueueBatcher } from './postgres-enqueue.js';
import { storageError, withPooledClient } from './postgres-errors.js';
import { NotifyListener } from './postgres-listener.js';
import { listQuery } from './postgres-list.js';
import { postgresTallyQuery, tallyRows, type TallyOptions, type TallyRow } from './tally.js';
import { migrate, quoteIdent } from './postgres-schema.js';
import type { AuditLog } from '../audit/log.js';
import { createPostgresAudit } from './audit-postgres.js';
import type { PruneOptions, PruneRule } from './prune.js';
import { prunePostgres } from './prune-postgres.js';
import type { Keyring } from '../crypto/keys.js';
import { attemptAad, itemAad, openAttemptRow, openItemRow, sealJson, sealText, type JournalCipher } from './cipher.js';
import { preparePostgresCipher, reencryptPostgres, type ReencryptCursor } from './postgres-crypto.js';
import { excerpt, rowToAttempt, rowToItem, type AttemptRow, type ItemRow } from './rows.js';
import { Watchers } from './watchers.js';
import { emptyCounts, type Attempt, type ClaimOptions, type CompleteEntry, type EnqueueInput, type EnqueueResult, type FinishOptions, type ItemStatus, type Journal, type JournalItem, type ListOptions, type StatusCounts } from './types.js';

export interface PostgresJournalOptions {
  /** Connection URL, e.g. `postgres://caraloom@db.example/caraloom`. */
  url: string;
  /** Schema holding the journal tables; created on start when missing. */
  schema: string;
  /** Connections in this instance's pool (the LISTEN connection is one more). */
  poolSize: number;
  clock?: Clock | undefined;
  /** How long to wait for a connection before answering "storage unavailable". @default 5000 */
  connectTimeoutMs?: number | undefined;
  /** Server-side limit on one statement; a stuck database fails fast instead of hanging ACKs. @default 30000 */
  statementTimeoutMs?: number | undefined;
  /** Encrypts content at rest (postgres-crypto.ts); without one, a journal never encrypted stays plain and an encrypted one is refused. */
  keyring?: Keyring | undefined;
}

/** An id from an admin URL may be anything; SQLite simply finds no row, and so do we. */
const isId = (id: number): boolean => Number.isSafeInteger(id);

const schemaName = /^[a-z_][a-z0-9_]{0,50}$/;

/** How often `nextDueAt` may spend a pass over a queue repairing keys left blocked (postgres-heads.ts). */
const unstickEveryMs = 30_000;

/** pg parses json itself; the shared row mapper expects the stored text (a JSON string payload must stay a string). */
const rawJson: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.JSON || oid === pg.types.builtins.JSONB ? (value: string) => value : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Opens the journal on PostgreSQL: connects, creates or migrates the schema
 * (safe when several instances start at once), and returns a Journal that
 * any number of instances can share. Throws StorageUnavailableError when the
 * database cannot be reached.
 */
export async function openPostgresJournal(options: PostgresJournalOptions): Promise<Journal> {
  if (!schemaName.test(options.schema)) throw new ConfigError('invalid store.schema', [{ path: 'store.schema', message: 'expected a lower-case SQL identifier of at most 51 characters' }]);
  const config: pg.ClientConfig = {
    connectionString: options.url,
    application_name: 'caraloom',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    // The server cannot enforce its timeout across a dead network path; the client gives up a little later.
    query_timeout: (options.statementTimeoutMs ?? 30_000) + 5_000,
    // A process frozen mid-transaction must not hold row and key locks for ever.
    idle_in_transaction_session_timeout: 60_000,
    types: rawJson,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // Only enqueue transactions wait for their WAL flush (they turn it back on
    // with SET LOCAL): what an ACK promises must survive a crash of the
    // server. Leases and outcomes are safe to lose — the item is delivered
    // again with the same idempotency key — and the next flushed commit makes
    // every earlier one durable too.
    // Claims and the heads rule need a snapshot per statement (postgres-claim.ts), whatever the server's default.
    options: '-c synchronous_commit=off -c default_transaction_isolation=read\\ committed',
  };
  const pool = new pg.Pool({ ...config, max: options.poolSize });
  pool.on('error', () => undefined); // an idle client lost its server; the next query reports it
  let cipher: JournalCipher | undefined;
  try {
    await withPooledClient(pool, (client) => migrate(client, options.schema));
    cipher = await withPooledClient(pool, (client) => preparePostgresCipher(client, options.schema, quoteIdent(options.schema), options.keyring));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw storageError(error);
  }
  return new PostgresJournal(pool, config, options.schema, options.clock ?? systemClock, cipher);
}

export class PostgresJournal implements Journal {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #S: string;
  readonly #channel: string;
  readonly #clock: Clock;
  readonly #watchers = new Watchers();
  readonly #watched = new Map<string, number>();
  readonly #listener: NotifyListener;
  readonly #batcher: EnqueueBatcher;
  readonly #claimSql: pg.QueryConfig;
  /** When `nextDueAt` last repaired each queue's keys left blocked behind nothing (postgres-heads.ts). */
  readonly #unstuckAt = new Map<string, number>();
  /** Completions of this turn of the event loop, written by one statement. */
  #completing: Array<CompleteEntry & { resolve: () => void; reject: (error: unknown) => void }> = [];
  readonly audit: AuditLog;
  readonly #cipher: JournalCipher | undefined;
  /** Where key rotation's pass has got to (postgres-crypto.ts). */
  readonly #reencryptCursor: ReencryptCursor = { items: 0, attempts: 0 };
  #closed = false;

  constructor(pool: pg.Pool, config: pg.ClientConfig, schema: string, clock: Clock, cipher?: JournalCipher) {
    this.#pool = pool;
    this.#cipher = cipher;
    this.#S = quoteIdent(schema);
    this.#channel = `caraloom_${schema}`;
    this.#clock = clock;
    this.#claimSql = claimStatement(this.#S);
    this.audit = createPostgresAudit({ S: this.#S, schema, clock, withClient: (work) => this.#withClient(work) });
    const wakeAll = () => {
      for (const queue of this.#watched.keys()) this.#watchers.notify(queue);
    };
    this.#listener = new NotifyListener(config, this.#channel, (queue) => this.#watchers.notify(queue), wakeAll);
    this.#batcher = new EnqueueBatcher({ pool, S: this.#S, channel: this.#channel, clock, cipher, committed: (queues) => {
        for (const queue of queues) this.#watchers.notify(queue);
      },
    });
  }

  #open(): void {
    if (this.#closed) throw new StorageUnavailableError(new Error('journal closed'));
  }

  /** `$S` in the text stands for the quoted schema; a `name` makes it a per-connection prepared statement. */
  async #query<R extends pg.QueryResultRow>(query: string | pg.QueryConfig, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    this.#open();
    const config: pg.QueryConfig = typeof query === 'string' ? { text: query, values: params } : query;
    try {
      return await this.#pool.query<R>({ ...config, text: config.text.replaceAll('$S', this.#S) });
    } catch (error) {
      throw storageError(error);
    }
  }

  async #withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.#open();
    try {
      return await withPooledClient(this.#pool, work);
    } catch (error) {
      throw storageError(error);
    }
  }

  enqueue<P>(input: EnqueueInput): Promise<EnqueueResult<P>> {
    return this.enqueueMany([input]).then((results) => results[0] as EnqueueResult<P>);
  }

  enqueueMany(inputs: readonly EnqueueInput[]): Promise<EnqueueResult[]> {
    if (this.#closed) return Promise.reject(new StorageUnavailableError(new Error('journal closed')));
    return this.#batcher.submit(inputs);
  }

  claim<P>(options: ClaimOptions): Promise<JournalItem<P>[]> {
    return this.#withClient((client) => claimItems<P>(client, this.#claimSql, options, this.#clock.now(), this.#cipher));
  }

  /**
   * One statement (so one implicit transaction): the update, the attempt
   * row and, for an item that left the queue, the next item of its order
   * key unblocked (postgres-heads.ts). No NOTIFY here: PostgreSQL serialises the commits of every
   * notifying transaction in the database (one lock held through the WAL
   * flush), which measured a 20x slower drain. None is needed either: the
   * worker that finished the item looks at the queue again at once, and it
   * is as good a claimer of the key's next item as any other instance.
   */
  async #finish(name: string, id: number, set: string, params: unknown[], options: FinishOptions): Promise<string | undefined> {
    const attempt: Attempt | undefined = options.attempt;
    const base = params.length;
    const result = await this.#query<{ queue: string }>({
      name: `caraloom_${name}`,
      text: `WITH u AS (
         UPDATE $S.journal_items SET ${set}, attempts = attempts + $${base + 1}, lease_until = NULL, lease_owner = NULL, updated_at = $${base + 2}
         WHERE id = $${base + 3} RETURNING id, queue, order_key, status
       ), a AS (
         INSERT INTO $S.journal_attempts (item_id, at, ok, status, error, response, duration_ms)
         SELECT id, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7}, $${base + 8}, $${base + 9} FROM u WHERE $${base + 4}::bigint IS NOT NULL
       ), b AS (
         SELECT $S.journal_unblock(array_agg(queue), array_agg(order_key), array_agg(id)) AS n FROM u WHERE order_key IS NOT NULL AND status <> 'queued' HAVING count(*) > 0
       )
       SELECT queue, (SELECT n FROM b) AS unblocked FROM u`,
      values: [
        ...params,
        attempt === undefined || options.countAttempt === false ? 0 : 1,
        this.#clock.now(),
        id,
        attempt?.at ?? null,
        attempt?.ok ?? false,
        attempt?.status ?? null,
        attempt === undefined ? null : sealText(this.#cipher, attemptAad(id, attempt.at, 'error'), attempt.error ?? null),
        attempt === undefined ? null : sealText(this.#cipher, attemptAad(id, attempt.at, 'response'), excerpt(attempt.response)),
        attempt?.durationMs === undefined ? null : Math.round(attempt.durationMs),
      ],
    });
    return result.rows[0]?.queue;
  }

  #sealResult(id: number, options: FinishOptions): string {
    return sealJson(this.#cipher, itemAad(id, 'result'), JSON.stringify(options.result ?? null));
  }

  /**
   * Completions made in one turn of the event loop (a worker's deliveries
   * finishing together) share one statement; each resolves once it is
   * written. If the shared statement fails, each is written on its own, so
   * one bad completion cannot fail the others.
   */
  complete(id: number, options: FinishOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new StorageUnavailableError(new Error('journal closed')));
    return new Promise((resolve, reject) => {
      if (this.#completing.push({ id, options, resolve, reject }) === 1) setImmediate(() => void this.#flushCompletions());
    });
  }

  async #flushCompletions(): Promise<void> {
    const batch = this.#completing;
    this.#completing = [];
    try {
      await (batch.length === 1 ? this.#completeOne(batch[0]!.id, batch[0]!.options ?? {}) : this.completeMany(batch));
      for (const entry of batch) entry.resolve();
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const entry of batch) await this.#completeOne(entry.id, entry.options ?? {}).then(entry.resolve, entry.reject);
    }
  }

  async #completeOne(id: number, options: FinishOptions): Promise<void> {
    await this.#finish('complete', id, `status = 'delivered', last_error = NULL, result = $1`, [this.#sealResult(id, options)], options);
  }

  /** One statement for all: updates, attempt rows, and the next item of each order key unblocked. */
  async completeMany(entries: readonly CompleteEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const now = this.#clock.now();
    const ids = entries.map((entry) => entry.id);
    const attempt = (entry: CompleteEntry) => entry.options?.attempt;
    await this.#query({
      name: 'caraloom_complete_many',
      text: `WITH v AS (
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::bigint[], $5::boolean[], $6::int[], $7::text[], $8::text[], $9::int[])
           AS v(id, result, counted, at, ok, status, error, response, duration_ms)
       ), u AS (
         UPDATE $S.journal_items i SET status = 'delivered', last_error = NULL, result = v.result, attempts = i.attempts + v.counted, lease_until = NULL, lease_owner = NULL, updated_at = $10
         FROM v WHERE i.id = v.id RETURNING i.id, i.queue, i.order_key
       ), a AS (
         INSERT INTO $S.journal_attempts (item_id, at, ok, status, error, response, duration_ms)
         SELECT v.id, v.at, v.ok, v.status, v.error, v.response, v.duration_ms FROM v JOIN u USING (id) WHERE v.at IS NOT NULL
       ), b AS (
         SELECT $S.journal_unblock(array_agg(queue), array_agg(order_key), array_agg(id)) AS n FROM u WHERE order_key IS NOT NULL HAVING count(*) > 0
       )
       SELECT count(*), (SELECT n FROM b) AS unblocked FROM u`,
      values: [
        ids,
        entries.map((entry) => this.#sealResult(entry.id, entry.options ?? {})),
        entries.map((entry) => (attempt(entry) === undefined || entry.options?.countAttempt === false ? 0 : 1)),
        entries.map((entry) => attempt(entry)?.at ?? null),
        entries.map((entry) => attempt(entry)?.ok ?? false),
        entries.map((entry) => attempt(entry)?.status ?? null),
        entries.map((entry) => { const a = attempt(entry); return a === undefined ? null : sealText(this.#cipher, attemptAad(entry.id, a.at, 'error'), a.error ?? null); }),
        entries.map((entry) => { const a = attempt(entry); return a === undefined ? null : sealText(this.#cipher, attemptAad(entry.id, a.at, 'response'), excerpt(a.response)); }),
        entries.map((entry) => { const d = attempt(entry)?.durationMs; return d === undefined ? null : Math.round(d); }),
        now,
      ],
    });
  }

  async retry(id: number, at: number, error: string, options: FinishOptions = {}): Promise<void> {
    const queue = await this.#finish('retry', id, `status = 'queued', available_at = $1, last_error = $2`, [at, error], options);
    if (queue !== undefined) this.#watchers.notify(queue); // this instance's worker re-reads nextDueAt
  }

  async bury(id: number, error: string, options: FinishOptions = {}): Promise<void> {
    const queue = await this.#finish('bury', id, `status = 'dead', last_error = $1, result = $2`, [error, this.#sealResult(id, options)], options);
    if (queue !== undefined) this.#watchers.notify(queue); // later items of its order key may now go
  }

  async cancel(id: number, reason: string): Promise<boolean> {
    if (!isId(id)) return false;
    const now = this.#clock.now();
    const result = await this.#query(
      `WITH u AS (
         UPDATE $S.journal_items SET status = 'cancelled', last_error = $1, updated_at = $2
         WHERE id = $3 AND status = 'queued' AND (lease_until IS NULL OR lease_until <= $2) RETURNING id, queue, order_key
       )
       SELECT queue, order_key, CASE WHEN order_key IS NOT NULL THEN pg_notify($4, queue) END,
         CASE WHEN order_key IS NOT NULL THEN $S.journal_unblock(ARRAY[queue], ARRAY[order_key], ARRAY[id]) END FROM u`,
      [reason, now, id, this.#channel],
    );
    return result.rowCount === 1;
  }

  async replay(id: number): Promise<boolean> {
    if (!isId(id)) return false;
    const now = this.#clock.now();
    const result = await this.#query(
      `WITH u AS (
         UPDATE $S.journal_items SET status = 'queued', available_at = $1, lease_until = NULL, lease_owner = NULL, updated_at = $1,
           blocked = $S.journal_blocked(queue, order_key, id)
         WHERE id = $2 AND status IN ('dead', 'delivered', 'cancelled') RETURNING queue
       )
       SELECT queue, pg_notify($3, queue) FROM u`,
      [now, id, this.#channel],
    );
    return result.rowCount === 1;
  }

  async get<P>(id: number): Promise<JournalItem<P> | undefined> {
    if (!isId(id)) return undefined;
    const result = await this.#query<ItemRow>('SELECT * FROM $S.journal_items WHERE id = $1', [id]);
    return result.rows[0] === undefined ? undefined : rowToItem<P>(openItemRow(this.#cipher, result.rows[0]));
  }

  async getByKey<P>(queue: string, key: string): Promise<JournalItem<P> | undefined> {
    const result = await this.#query<ItemRow>('SELECT * FROM $S.journal_items WHERE queue = $1 AND key = $2', [queue, key]);
    return result.rows[0] === undefined ? undefined : rowToItem<P>(openItemRow(this.#cipher, result.rows[0]));
  }

  async list<P>(options: ListOptions = {}): Promise<JournalItem<P>[]> {
    const { sql, params } = listQuery(options);
    const result = await this.#query<ItemRow>(sql, params);
    return result.rows.map((row) => rowToItem<P>(openItemRow(this.#cipher, row)));
  }

  async tally(options: TallyOptions): Promise<TallyRow[]> {
    const { sql, params } = postgresTallyQuery(options);
    return tallyRows((await this.#query<Record<string, unknown>>(sql, params)).rows, options.fields);
  }

  async attempts(id: number): Promise<Attempt[]> {
    if (!isId(id)) return [];
    const result = await this.#query<AttemptRow>('SELECT * FROM $S.journal_attempts WHERE item_id = $1 ORDER BY at, id', [id]);
    return result.rows.map((row) => rowToAttempt(openAttemptRow(this.#cipher, row, id)));
  }

  async counts(queue?: string): Promise<StatusCounts> {
    const result = await this.#query<{ status: ItemStatus; n: string }>(
      `SELECT status, count(*) AS n FROM $S.journal_items ${queue === undefined ? '' : 'WHERE queue = $1'} GROUP BY status`,
      queue === undefined ? [] : [queue],
    );
    const counts = emptyCounts();
    for (const row of result.rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async nextDueAt(queue: string): Promise<number | undefined> {
    const now = this.#clock.now();
    // Fast path, and the usual answer while a backlog drains: something is claimable now.
    const ready = await this.#query<{ due: string }>({
      name: 'caraloom_due_now',
      text: `SELECT i.available_at AS due FROM $S.journal_items i WHERE i.queue = $1 AND NOT i.blocked AND ${claimRule('i', '$2')} ORDER BY i.available_at, i.id LIMIT 1`,
      values: [queue, now],
    });
    if (ready.rows[0] !== undefined) return Number(ready.rows[0].due);
    // Rarely, a key left blocked behind nothing (an instance of an older release finished its head) is repaired first.
    if (now - (this.#unstuckAt.get(queue) ?? Number.NEGATIVE_INFINITY) >= unstickEveryMs) {
      this.#unstuckAt.set(queue, now);
      const repaired = await this.#query(unstickSql, [queue]);
      if ((repaired.rowCount ?? 0) > 0) return now;
    }
    // Otherwise over the heads (one per order key, and keyless items): a
    // keyless item is due at its time or lease end; a key's head at its
    // time, and not before every lease on the key has ended (a later item
    // can hold one; see postgres-claim.ts). False heads (an earlier item of
    // the key is queued) are skipped.
    const later = await this.#query<{ due: string | null }>({
      name: 'caraloom_due_later',
      text: `SELECT min(greatest(i.available_at, coalesce(i.lease_until, 0), coalesce(l.until, 0))) AS due
             FROM $S.journal_items i
             LEFT JOIN LATERAL (
               SELECT max(j.lease_until) AS until FROM $S.journal_items j
               WHERE i.order_key IS NOT NULL AND j.queue = i.queue AND j.order_key = i.order_key AND j.status = 'queued' AND NOT j.blocked AND j.lease_until IS NOT NULL
             ) l ON true
             WHERE i.queue = $1 AND i.status = 'queued' AND NOT i.blocked
               AND (i.order_key IS NULL OR NOT EXISTS (
                 SELECT 1 FROM $S.journal_items j WHERE j.queue = i.queue AND j.order_key = i.order_key AND j.status = 'queued' AND j.id < i.id))`,
      values: [queue],
    });
    const due = later.rows[0]?.due;
    return due === null || due === undefined ? undefined : Number(due);
  }

  async purge(queue: string, before: number, statuses: readonly ItemStatus[] = ['delivered', 'filtered', 'rejected', 'cancelled']): Promise<number> {
    // Attempts go with their items (ON DELETE CASCADE), in the same statement.
    const result = await this.#query('DELETE FROM $S.journal_items WHERE queue = $1 AND updated_at < $2 AND status = ANY($3::text[])', [queue, before, [...statuses]]);
    return result.rowCount ?? 0;
  }

  prune(rule: PruneRule, options?: PruneOptions): Promise<number> {
    return prunePostgres((text, values) => this.#query(text, values), rule, options);
  }

  /**
   * Key rotation: seals up to `batch` items and attempts still plain or
   * under an older key with the current one; 0 once none is left. Each
   * statement is short and autocommitted, so intake goes on between them.
   */
  async reencrypt(batch = 200): Promise<number> {
    const cipher = this.#cipher;
    if (cipher === undefined) return 0;
    this.#open();
    try {
      return await reencryptPostgres((text, values) => this.#pool.query(text, values), this.#S, cipher, batch, this.#reencryptCursor);
    } catch (error) {
      throw storageError(error);
    }
  }

  /** PostgreSQL's autovacuum reuses the space of deleted rows; nothing to do here. */
  async reclaimSpace(): Promise<void> {}

  watch(queue: string, listener: () => void): () => void {
    this.#watched.set(queue, (this.#watched.get(queue) ?? 0) + 1);
    this.#listener.start();
    const remove = this.#watchers.add(queue, listener);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      remove();
      const left = (this.#watched.get(queue) ?? 1) - 1;
      if (left > 0) this.#watched.set(queue, left);
      else this.#watched.delete(queue);
    };
  }

  async ping(): Promise<void> {
    // A write check, not just SELECT 1: a standby after failover or a role
    // without privileges must fail readiness too.
    await this.#query("SELECT 1 FROM $S.journal_items WHERE false FOR UPDATE");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#batcher.idle();
    if (this.#completing.length > 0) await this.#flushCompletions();
    this.#closed = true;
    await this.#listener.close();
    await this.#pool.end().catch(() => undefined);
  }
}
