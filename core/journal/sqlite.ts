import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { makePrivate, privateDirMode } from '../fs-modes.js';
import path from 'node:path';
import Database from 'better-sqlite3';
import { systemClock, type Clock } from '../clock.js';
import { StorageUnavailableError } from '../errors.js';
import type { AuditLog } from '../audit/log.js';
import { createSqliteAudit } from './audit-sqlite.js';
import type { PruneOptions, PruneRule } from './prune.js';
import { pruneSqlite, reclaimSqlite, useIncrementalVacuum } from './prune-sqlite.js';
import { createCheckpointer, type Checkpointer } from './sqlite-checkpoint.js';
import { sqliteMigrations } from './sqlite-schema.js';
import type { Keyring } from '../crypto/keys.js';
import { attemptAad, itemAad, openAttemptRow, openItemRow, sealJson, sealText, type JournalCipher } from './cipher.js';
import { prepareSqliteCipher, reencryptSqlite } from './sqlite-crypto.js';
import { excerpt, rowToAttempt, rowToItem, type AttemptRow, type ItemRow } from './rows.js';
import { Watchers } from './watchers.js';
import {
  emptyCounts,
  type Attempt,
  type ClaimOptions,
  type EnqueueInput,
  type EnqueueResult,
  type FinishOptions,
  type ItemStatus,
  type Journal,
  type JournalItem,
  type ListOptions,
  type StatusCounts,
} from './types.js';
import { sqliteTallyQuery, tallyRows, type TallyOptions, type TallyRow } from './tally.js';

export interface SqliteJournalOptions {
  /** Database file; its folder is created. */
  file: string;
  clock?: Clock;
  /**
   * `full` syncs the WAL on every enqueue commit (what an ACK promises
   * survives power loss); `normal` survives a killed process but may lose the
   * last commits on power loss. Group commit makes `full` cheap. @default 'full'
   */
  synchronous?: 'full' | 'normal';
  /** Encrypts content at rest (cipher.ts); without one, a journal never encrypted stays plain and an encrypted one is refused. */
  keyring?: Keyring | undefined;
}

interface Pending {
  inputs: readonly EnqueueInput[];
  resolve: (results: EnqueueResult[]) => void;
  reject: (error: unknown) => void;
}

/** A group commit done in SQLite (not yet synced): its callers, answered once the WAL sync covering it returns. */
interface Committed {
  batch: Pending[];
  outcomes: EnqueueResult[][];
  /** Queues that got claimable items: their workers are woken once the sync is under way. */
  queues: Set<string>;
}

/**
 * SQLite's page cache per connection (#16 aim 3). better-sqlite3 builds
 * SQLite with a 16 MB default; a journal's hot pages are the tail of the
 * table and the heads of its indexes, and everything else is one `pread`
 * from the OS page cache away. At 16 MB the cache was a fixed tenth of the
 * connector's peak RSS under a backlog; 2 MB is SQLite's own default.
 */
export const pageCacheKiB = 2_000;

/** SQLite errors that mean "cannot write now" rather than a bug: AR 207 / 503. */
const storageCodes = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|BUSY|LOCKED|CORRUPT|NOTADB|PERM)/;

function storageError(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && storageCodes.test(code) ? new StorageUnavailableError(error) : error;
}

export class SqliteJournal implements Journal {
  readonly kind = 'sqlite' as const;
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #watchers = new Watchers();
  /** Prepared once per SQL text: preparing costs more than most of these statements run. */
  readonly #statements = new Map<string, Database.Statement>();
  #pending: Pending[] = [];
  #flushScheduled = false;
  /** A WAL sync is running on the thread pool; enqueues arriving meanwhile wait for it and share the next one. */
  #syncing = false;
  /** The -wal file, opened read-only for syncing it (durable journals); opened at the first commit. */
  #walFd: number | undefined;
  /** A failed WAL sync: the kernel may have dropped the unsynced pages, so nothing after it is promised (fail-stop). */
  #broken: unknown;
  #idle: (() => void)[] = [];
  /** Runs WAL checkpoints on a worker thread (sqlite-checkpoint.ts); SQLite's own stays as a far-off safety net. */
  readonly #checkpointer: Checkpointer;
  /** The thread's checkpoint caught up: copy the few frames since here, between commits, so the next write restarts the WAL. */
  #finishCheckpoint = false;
  /** Next row id inside the running group commit (encrypted journals seal with it before the insert). */
  #nextId: number | undefined;
  #closed = false;
  readonly #durable: boolean;
  readonly audit: AuditLog;
  readonly #cipher: JournalCipher | undefined;

  readonly #file: string;

  constructor(options: SqliteJournalOptions) {
    this.#file = path.resolve(options.file);
    mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true, mode: privateDirMode });
    this.#clock = options.clock ?? systemClock;
    try {
      this.#db = new Database(options.file);
      this.#db.pragma('journal_mode = WAL');
      // Only enqueues are synced (see #flush). Every later change of state —
      // a lease, delivered, a retry time, dead — is safe to lose to a power
      // cut: the item is delivered again with the same idempotency key. And
      // the next synced enqueue makes all earlier WAL frames durable too.
      this.#durable = options.synchronous !== 'normal';
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('busy_timeout = 5000');
      this.#db.pragma(`cache_size = -${pageCacheKiB}`);
      useIncrementalVacuum(this.#db);
      this.#migrate();
      this.#cipher = prepareSqliteCipher(this.#db, options.keyring);
      this.audit = createSqliteAudit(this.#db, this.#clock, (work) => this.#run(work));
      // SQLite makes the file and its -wal/-shm under the umask: narrow them here
      // (the migrate above has read the WAL, so all three exist by now).
      makePrivate(options.file, `${options.file}-wal`, `${options.file}-shm`);
      this.#db.pragma('wal_autocheckpoint = 20000');
      this.#checkpointer = createCheckpointer({
        file: this.#file,
        caughtUp: () => {
          this.#finishCheckpoint = true;
        },
        fallback: () => {
          if (!this.#closed) this.#db.pragma('wal_autocheckpoint = 1000');
        },
      });
    } catch (error) {
      throw storageError(error);
    }
  }

  #sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  #migrate(): void {
    const version = Number(this.#db.pragma('user_version', { simple: true }));
    for (let index = version; index < sqliteMigrations.length; index += 1) {
      this.#db.transaction(() => {
        this.#db.exec(sqliteMigrations[index]!);
        this.#db.pragma(`user_version = ${index + 1}`);
      })();
    }
  }

  #run<T>(work: () => T): T {
    if (this.#closed) throw new StorageUnavailableError(new Error('journal closed'));
    if (this.#broken !== undefined) throw new StorageUnavailableError(this.#broken);
    if (this.#finishCheckpoint && !this.#db.inTransaction) {
      this.#finishCheckpoint = false;
      try {
        this.#db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // One that cannot run now is done by a later one.
      }
    }
    try {
      return work();
    } catch (error) {
      throw storageError(error);
    }
  }

  enqueue<P>(input: EnqueueInput): Promise<EnqueueResult<P>> {
    return this.enqueueMany([input]).then((results) => results[0] as EnqueueResult<P>);
  }

  /**
   * Group commit. A durable journal commits with SQLite's `synchronous =
   * NORMAL` (no sync inside the transaction, so the event loop is not held
   * for the disk) and then syncs the WAL file itself on the thread pool
   * (fdatasync, what `synchronous = FULL` does inside the commit); each
   * caller is answered only once the sync that covers its commit has
   * returned. Enqueues that arrive while a sync runs wait for it and share
   * one transaction and one sync after it. With no sync running an enqueue
   * is committed at once (end of the current microtask queue, so a burst
   * in one turn still shares a transaction): no timer or loop turn between
   * a message and its commit.
   */
  enqueueMany(inputs: readonly EnqueueInput[]): Promise<EnqueueResult[]> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ inputs, resolve, reject });
      if (!this.#flushScheduled && !this.#syncing) {
        this.#flushScheduled = true;
        queueMicrotask(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#syncing || this.#pending.length === 0) return;
    const committed = this.#commitPending();
    if (committed === undefined) {
      this.#settleIdle();
      return;
    }
    if (!this.#durable) {
      this.#answer(committed);
      this.#notify(committed);
      this.#settleIdle();
      return;
    }
    this.#syncing = true;
    let fd: number;
    try {
      fd = this.#wal();
    } catch (error) {
      this.#syncFailed(committed, error);
      return;
    }
    fdatasync(fd, (error) => {
      this.#syncing = false;
      if (error !== null) {
        this.#syncFailed(committed, error);
        return;
      }
      this.#answer(committed);
      // What arrived during the sync goes now, as one transaction and one sync.
      if (this.#pending.length > 0 && !this.#closed) this.#flush();
      else this.#settleIdle();
    });
    // The worker may claim while the sync runs (the loop is free meanwhile): a delivery of an item a
    // power cut then takes back was never acknowledged, and its resend carries the same idempotency key.
    this.#notify(committed);
  }

  #notify({ queues }: Committed): void {
    for (const queue of queues) this.#watchers.notify(queue);
  }

  /** Commits every pending enqueue in one transaction (no sync); undefined when it failed and they were rejected. */
  #commitPending(): Committed | undefined {
    const batch = this.#pending;
    this.#pending = [];
    const queues = new Set<string>();
    let outcomes: EnqueueResult[][];
    try {
      outcomes = this.#run(() => {
        try {
          // IMMEDIATE: the insert reads (order key, next id) before it writes; a
          // deferred transaction could not upgrade if another process (keys
          // rotate) committed in between, and would fail instead of waiting.
          return this.#db.transaction(() => batch.map((entry) => this.#savepoint(entry.inputs, queues))).immediate();
        } finally {
          this.#nextId = undefined;
        }
      });
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return undefined;
    }
    this.#checkpointer.committed();
    return { batch, outcomes, queues };
  }

  #answer({ batch, outcomes }: Pick<Committed, 'batch' | 'outcomes'>): void {
    batch.forEach((entry, index) => {
      const result = outcomes[index]!;
      if (result instanceof Error) entry.reject(result);
      else entry.resolve(result);
    });
  }

  /** The WAL file's descriptor, opened once (the folder synced too, so the file's own entry is durable, as SQLite does for a new WAL). */
  #wal(): number {
    if (this.#walFd !== undefined) return this.#walFd;
    const fd = openSync(`${this.#file}-wal`, 'r');
    try {
      const dir = openSync(path.dirname(this.#file), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.#walFd = fd;
    return fd;
  }

  /** Nothing committed since the last good sync is promised: its callers get 207, and so does every later call. */
  #syncFailed(committed: Committed, error: unknown): void {
    this.#syncing = false;
    this.#broken = error;
    const refused = new StorageUnavailableError(error);
    for (const entry of committed.batch) entry.reject(refused);
    const waiting = this.#pending;
    this.#pending = [];
    for (const entry of waiting) entry.reject(refused);
    this.#settleIdle();
  }

  #settleIdle(): void {
    if (this.#syncing || this.#pending.length > 0) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }

  /** One caller's inputs, all or nothing, without failing the rest of the batch. */
  #savepoint(inputs: readonly EnqueueInput[], queues: Set<string>): EnqueueResult[] {
    try {
      return this.#db.transaction(() => inputs.map((input) => this.#insert(input, queues)))();
    } catch (error) {
      if (storageCodes.test(String((error as { code?: unknown }).code))) throw error;
      return error as never;
    }
  }

  #insert(input: EnqueueInput, queues: Set<string>): EnqueueResult {
    const now = this.#clock.now();
    const status = input.status ?? 'queued';
    // Blocked while an earlier item of its order key is still queued.
    const blocked = status === 'queued' && input.orderKey !== undefined && this.#sql(`SELECT 1 FROM journal_items WHERE queue = ? AND order_key = ? AND status = 'queued' LIMIT 1`).get(input.queue, input.orderKey) !== undefined;
    // The id is the ciphertext's associated data, so it is chosen before the
    // insert: the next sequence value, read once per group commit (this
    // IMMEDIATE transaction is the only writer) and counted on from there.
    if (this.#cipher !== undefined && this.#nextId === undefined) this.#nextId = (this.#sql(`SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'journal_items'), 0) + 1 AS id`).get() as { id: number }).id;
    const id = this.#cipher === undefined ? null : (this.#nextId ?? null);
    const payload = JSON.stringify(input.payload ?? null);
    // RETURNING: the stored row comes back from the insert itself, not a second read.
    const row = this.#sql(
      `INSERT INTO journal_items (id, queue, key, order_key, status, payload, meta, available_at, created_at, updated_at, blocked)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *`,
    ).get(id, input.queue, input.key ?? null, input.orderKey ?? null, status, id === null ? payload : sealJson(this.#cipher, itemAad(id, 'payload'), payload), JSON.stringify(input.meta ?? {}), input.availableAt ?? now, now, now, blocked ? 1 : 0) as ItemRow | undefined;
    if (row !== undefined) {
      if (id !== null) this.#nextId = id + 1;
      if (status === 'queued') queues.add(input.queue);
      // Built from the row with the plain payload we just sealed: no need to open it again.
      return { item: rowToItem({ ...row, payload }), created: true };
    }
    const existing = this.#sql('SELECT * FROM journal_items WHERE queue = ? AND key = ?').get(input.queue, input.key) as ItemRow;
    return { item: rowToItem(openItemRow(this.#cipher, existing)), created: false };
  }

  #getRow(id: number): JournalItem | undefined {
    const row = this.#sql('SELECT * FROM journal_items WHERE id = ?').get(id) as ItemRow | undefined;
    return row === undefined ? undefined : rowToItem(openItemRow(this.#cipher, row));
  }

  async claim<P>(options: ClaimOptions): Promise<JournalItem<P>[]> {
    const now = this.#clock.now();
    const claimed = this.#run(() =>
      this.#db.transaction(() => {
        // Claimable: a head of its order key (not blocked), due, not leased.
        const rows = this.#sql(
          `SELECT * FROM journal_items
           WHERE queue = @queue AND status = 'queued' AND blocked = 0 AND available_at <= @now
             AND (lease_until IS NULL OR lease_until <= @now)
           ORDER BY available_at, id LIMIT @limit`,
        ).all({ queue: options.queue, now, limit: options.limit }) as ItemRow[];
        const lease = this.#sql('UPDATE journal_items SET lease_until = ?, lease_owner = ?, updated_at = ? WHERE id = ?');
        return rows.map((row) => {
          lease.run(now + options.leaseMs, options.owner ?? null, now, row.id);
          return { ...rowToItem<P>(openItemRow(this.#cipher, row)), leaseUntil: now + options.leaseMs };
        });
      })(),
    );
    if (claimed.length > 0) this.#checkpointer.committed();
    return claimed;
  }

  #finish(id: number, set: string, params: unknown[], options: FinishOptions = {}): void {
    const now = this.#clock.now();
    this.#run(() =>
      this.#db.transaction(() => {
        const counted = options.attempt === undefined || options.countAttempt === false ? 0 : 1;
        this.#sql(`UPDATE journal_items SET ${set}, attempts = attempts + ?, lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE id = ?`)
          .run(...params, counted, now, id);
        if (options.attempt !== undefined) this.#saveAttempt(id, options.attempt);
        this.#unblockNext(id);
      })(),
    );
    this.#checkpointer.committed();
  }

  /**
   * After an item left the queue (delivered, dead, cancelled), the earliest
   * queued item of its order key becomes the head. Runs inside the caller's
   * transaction; harmless when the item is still queued or has no order key.
   */
  #unblockNext(id: number): void {
    const row = this.#sql('SELECT queue, order_key FROM journal_items WHERE id = ?').get(id) as { queue: string; order_key: string | null } | undefined;
    if (row === undefined || row.order_key === null) return;
    this.#sql(
      `UPDATE journal_items SET blocked = 0 WHERE blocked = 1 AND id = (
         SELECT min(id) FROM journal_items WHERE queue = ? AND order_key = ? AND status = 'queued')`,
    ).run(row.queue, row.order_key);
  }

  #saveAttempt(id: number, attempt: Attempt): void {
    this.#sql('INSERT INTO journal_attempts (item_id, at, ok, status, error, response, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)').run(id, attempt.at, attempt.ok ? 1 : 0, attempt.status ?? null, sealText(this.#cipher, attemptAad(id, attempt.at, 'error'), attempt.error ?? null), sealText(this.#cipher, attemptAad(id, attempt.at, 'response'), excerpt(attempt.response)), attempt.durationMs ?? null);
  }

  async complete(id: number, options?: FinishOptions): Promise<void> {
    this.#finish(id, `status = 'delivered', last_error = NULL, result = ?`, [sealJson(this.#cipher, itemAad(id, 'result'), JSON.stringify(options?.result ?? null))], options);
  }

  async retry(id: number, at: number, error: string, options?: FinishOptions): Promise<void> {
    this.#finish(id, `status = 'queued', available_at = ?, last_error = ?`, [at, error], options);
    this.#watchers.notify(this.#getRow(id)?.queue ?? '');
  }

  async bury(id: number, error: string, options?: FinishOptions): Promise<void> {
    this.#finish(id, `status = 'dead', last_error = ?, result = ?`, [error, sealJson(this.#cipher, itemAad(id, 'result'), JSON.stringify(options?.result ?? null))], options);
    const queue = this.#getRow(id)?.queue;
    if (queue !== undefined) this.#watchers.notify(queue); // later items of the same order key may now go
  }

  async cancel(id: number, reason: string): Promise<boolean> {
    const now = this.#clock.now();
    const info = this.#run(() =>
      this.#db.transaction(() => {
        const changed = this.#sql(`UPDATE journal_items SET status = 'cancelled', last_error = ?, updated_at = ? WHERE id = ? AND status = 'queued' AND (lease_until IS NULL OR lease_until <= ?)`).run(reason, now, id, now);
        this.#unblockNext(id);
        return changed;
      })(),
    );
    return info.changes === 1;
  }

  async replay(id: number): Promise<boolean> {
    const now = this.#clock.now();
    const info = this.#run(() =>
      // Back in the queue behind whatever of its order key is queued now.
      this.#sql(
        `UPDATE journal_items SET status = 'queued', available_at = ?, lease_until = NULL, updated_at = ?,
           blocked = (order_key IS NOT NULL AND EXISTS (
             SELECT 1 FROM journal_items j WHERE j.queue = journal_items.queue AND j.order_key = journal_items.order_key AND j.status = 'queued'))
         WHERE id = ? AND status IN ('dead', 'delivered', 'cancelled')`,
      ).run(now, now, id),
    );
    if (info.changes === 1) this.#watchers.notify(this.#getRow(id)!.queue);
    return info.changes === 1;
  }

  async get<P>(id: number): Promise<JournalItem<P> | undefined> {
    return this.#run(() => this.#getRow(id)) as JournalItem<P> | undefined;
  }

  async getByKey<P>(queue: string, key: string): Promise<JournalItem<P> | undefined> {
    const row = this.#run(() => this.#sql('SELECT * FROM journal_items WHERE queue = ? AND key = ?').get(queue, key)) as ItemRow | undefined;
    return row === undefined ? undefined : rowToItem<P>(openItemRow(this.#cipher, row));
  }

  async list<P>(options: ListOptions = {}): Promise<JournalItem<P>[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.queue !== undefined) (where.push('queue = ?'), params.push(options.queue));
    if (options.queuePrefix !== undefined) (where.push('substr(queue, 1, ?) = ?'), params.push(options.queuePrefix.length, options.queuePrefix));
    if (options.status !== undefined) (where.push('status = ?'), params.push(options.status));
    if (options.since !== undefined) (where.push('created_at >= ?'), params.push(options.since));
    if (options.until !== undefined) (where.push('created_at < ?'), params.push(options.until));
    if (options.afterId !== undefined) (where.push('id > ?'), params.push(options.afterId));
    for (const [name, value] of Object.entries(options.meta ?? {})) {
      // A plain name is written into the statement, so it matches an expression index
      // (journal_items_control: `json_extract(meta, '$."controlId"')`); anything else is bound.
      if (/^[A-Za-z0-9_]+$/.test(name)) where.push(`json_extract(meta, '$."${name}"') IS ?`);
      else (where.push('json_extract(meta, ?) IS ?'), params.push(`$.${JSON.stringify(name)}`));
      params.push(typeof value === 'boolean' ? Number(value) : value);
    }
    const order = options.order ?? (options.afterId === undefined ? 'desc' : 'asc');
    const sql = `SELECT * FROM journal_items ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order === 'asc' ? 'ASC' : 'DESC'} LIMIT ?`;
    const rows = this.#run(() => this.#sql(sql).all(...params, options.limit ?? 100)) as ItemRow[];
    return rows.map((row) => rowToItem<P>(openItemRow(this.#cipher, row)));
  }

  async tally(options: TallyOptions): Promise<TallyRow[]> {
    const { sql, params } = sqliteTallyQuery(options);
    return tallyRows(this.#run(() => this.#sql(sql).all(...params)) as Array<Record<string, unknown>>, options.fields);
  }

  async attempts(id: number): Promise<Attempt[]> {
    const rows = this.#run(() => this.#sql('SELECT * FROM journal_attempts WHERE item_id = ? ORDER BY at, rowid').all(id)) as AttemptRow[];
    return rows.map((row) => rowToAttempt(openAttemptRow(this.#cipher, row, id)));
  }

  async counts(queue?: string): Promise<StatusCounts> {
    const rows = this.#run(() =>
      queue === undefined
        ? this.#sql('SELECT status, count(*) AS n FROM journal_items GROUP BY status').all()
        : this.#sql('SELECT status, count(*) AS n FROM journal_items WHERE queue = ? GROUP BY status').all(queue),
    ) as Array<{ status: ItemStatus; n: number }>;
    const counts = emptyCounts();
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  async nextDueAt(queue: string): Promise<number | undefined> {
    const row = this.#run(() =>
      // Heads only: the earliest waiting one (index), or the earliest lease to expire.
      this.#sql(
        `SELECT min(due) AS due FROM (
           SELECT available_at AS due FROM (
             SELECT available_at FROM journal_items
             WHERE queue = @queue AND status = 'queued' AND blocked = 0 AND lease_until IS NULL
             ORDER BY available_at LIMIT 1)
           UNION ALL
           SELECT max(available_at, lease_until) FROM journal_items
           WHERE queue = @queue AND status = 'queued' AND lease_until IS NOT NULL AND blocked = 0)`,
      ).get({ queue }),
    ) as { due: number | null };
    return row.due ?? undefined;
  }

  async purge(queue: string, before: number, statuses: readonly ItemStatus[] = ['delivered', 'filtered', 'rejected', 'cancelled']): Promise<number> {
    return this.#run(() =>
      this.#db.transaction(() => {
        const marks = statuses.map(() => '?').join(', ');
        this.#sql(`DELETE FROM journal_attempts WHERE item_id IN (SELECT id FROM journal_items WHERE queue = ? AND updated_at < ? AND status IN (${marks}))`).run(queue, before, ...statuses);
        return this.#sql(`DELETE FROM journal_items WHERE queue = ? AND updated_at < ? AND status IN (${marks})`).run(queue, before, ...statuses).changes;
      })(),
    );
  }

  async prune(rule: PruneRule, options?: PruneOptions): Promise<number> {
    return this.#run(() => pruneSqlite(this.#db, rule, options));
  }

  async reclaimSpace(): Promise<void> {
    this.#run(() => reclaimSqlite(this.#db));
  }

  /**
   * Key rotation: seals up to `batch` rows still plain or under an older key
   * with the current one; 0 when none is left. The service (or `caraloom
   * keys rotate`) loops it between intake transactions.
   */
  async reencrypt(batch = 200): Promise<number> {
    const cipher = this.#cipher;
    return cipher === undefined ? 0 : this.#run(() => reencryptSqlite(this.#db, cipher, batch));
  }

  watch(queue: string, listener: () => void): () => void {
    return this.#watchers.add(queue, listener);
  }

  async ping(): Promise<void> {
    this.#run(() => this.#sql('SELECT 1').get());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Answer everything enqueued so far: the running sync, then what waits for it.
    if (this.#syncing || this.#pending.length > 0) {
      await new Promise<void>((resolve) => {
        this.#idle.push(resolve);
        if (!this.#syncing) this.#flush();
      });
    }
    if (this.#closed) return;
    this.#closed = true;
    await this.#checkpointer.stop();
    if (this.#walFd !== undefined) closeSync(this.#walFd);
    this.#walFd = undefined;
    this.#db.close();
  }

  /**
   * Several `complete`s in one transaction: one commit (one WAL write)
   * instead of one per delivery. Each item is finished exactly as
   * `complete` finishes it (attempt row, the next item of its order key
   * unblocked).
   */
  async completeMany(entries: Parameters<Journal['completeMany']>[0]): Promise<void> {
    if (entries.length === 0) return;
    this.#run(() =>
      this.#db.transaction(() => {
        for (const { id, options } of entries) {
          this.#finish(id, `status = 'delivered', last_error = NULL, result = ?`, [sealJson(this.#cipher, itemAad(id, 'result'), JSON.stringify(options?.result ?? null))], options);
        }
      })(),
    );
  }
}
