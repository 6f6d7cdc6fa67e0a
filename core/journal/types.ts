/**
 * The durable queue every service uses: the connector's outbox, the relay's
 * inbox and per-subscriber deliveries, the sandbox's webhook deliveries.
 * Two implementations (SQLite, PostgreSQL) pass the same test suite.
 *
 * Rules both keep:
 * - `enqueue` resolves only once the item is committed (persist, then ACK).
 * - `key` is unique within a queue: a second enqueue returns the first item
 *   with `created: false` (HL7 MSH-4 + MSH-10, relay event ids, idempotency).
 * - Items sharing an `orderKey` are claimed one at a time, in enqueue order;
 *   an earlier item waiting for a retry holds back the later ones.
 * - A claim is a lease: an item whose lease expires is claimable again.
 */
import type { AuditLog } from '../audit/log.js';
import type { PruneOptions, PruneRule } from './prune.js';

/** `queued` covers waiting, due and leased; the others are terminal until replayed. */
export type ItemStatus = 'queued' | 'delivered' | 'dead' | 'filtered' | 'rejected' | 'cancelled';

export const itemStatuses: readonly ItemStatus[] = ['queued', 'delivered', 'dead', 'filtered', 'rejected', 'cancelled'];

/** Small, PHI-free, searchable facts about an item (control ids, types, names of subscribers). */
export type ItemMeta = Record<string, string | number | boolean | null>;

export interface EnqueueInput {
  /** e.g. `connector.outbox`, `relay.events`, `relay.sub.ehr`, `sandbox.webhooks`. */
  queue: string;
  /** Unique within the queue when set; a repeat returns the existing item. */
  key?: string | undefined;
  /** Items with the same order key are delivered one at a time, in order. */
  orderKey?: string | undefined;
  /** JSON-serialisable. */
  payload: unknown;
  /** Record-only statuses (`filtered`, `rejected`, `delivered`) are stored terminal. @default 'queued' */
  status?: ItemStatus;
  /** Epoch ms when the item becomes due. @default now */
  availableAt?: number;
  meta?: ItemMeta;
}

export interface JournalItem<P = unknown> {
  id: number;
  queue: string;
  key: string | null;
  orderKey: string | null;
  status: ItemStatus;
  payload: P;
  meta: ItemMeta;
  /** Delivery attempts made so far. */
  attempts: number;
  availableAt: number;
  leaseUntil: number | null;
  createdAt: number;
  updatedAt: number;
  lastError: string | null;
  /** What the far side answered on success, or the final answer on a dead item. */
  result: unknown;
}

export interface Attempt {
  at: number;
  ok: boolean;
  /** HTTP status, or an HL7 acknowledgment code rendered as text in `error`. */
  status?: number | undefined;
  error?: string | undefined;
  /** Short excerpt of what the far side answered (bounded; never the request). */
  response?: string | undefined;
  durationMs?: number | undefined;
}

export interface EnqueueResult<P = unknown> {
  item: JournalItem<P>;
  /** False when an item with the same queue + key already existed. */
  created: boolean;
}

export interface ClaimOptions {
  queue: string;
  limit: number;
  leaseMs: number;
  /** Who holds the lease (instance id), for operators. */
  owner?: string;
}

export interface ListOptions {
  queue?: string;
  /** Every queue whose name starts with this (e.g. `relay.sub.`). */
  queuePrefix?: string;
  status?: ItemStatus;
  /** Items whose meta holds all of these values. */
  meta?: ItemMeta;
  /** Only items created at or after / before these epoch ms. */
  since?: number;
  until?: number;
  /** Newest first by default; `afterId` pages forward in ascending order. */
  order?: 'asc' | 'desc';
  afterId?: number;
  limit?: number;
}

export interface FinishOptions {
  result?: unknown;
  /** Recorded in the item's attempt log. */
  attempt?: Attempt;
  /**
   * Whether `attempt` counts toward the retry schedule. A rate-limit wait
   * (429) is logged but does not use up the schedule. @default true
   */
  countAttempt?: boolean;
}

export interface CompleteEntry {
  id: number;
  options?: FinishOptions | undefined;
}

export type StatusCounts = Record<ItemStatus, number>;

export interface Journal {
  readonly kind: 'sqlite' | 'postgres';
  enqueue<P>(input: EnqueueInput): Promise<EnqueueResult<P>>;
  /** All or nothing, in one transaction. */
  enqueueMany(inputs: readonly EnqueueInput[]): Promise<EnqueueResult[]>;
  claim<P>(options: ClaimOptions): Promise<JournalItem<P>[]>;
  /** Delivered: terminal, with the far side's answer. */
  complete(id: number, options?: FinishOptions): Promise<void>;
  /**
   * `complete` for several items in one transaction (one commit, one round
   * trip): what a delivery loop calls with the deliveries that finished in
   * the same turn of the event loop. All or nothing.
   */
  completeMany(entries: readonly CompleteEntry[]): Promise<void>;
  /** Failed but retryable: due again at `at`; the lease is released. */
  retry(id: number, at: number, error: string, options?: FinishOptions): Promise<void>;
  /** Failed for good: a dead letter, kept with its answer for replay. */
  bury(id: number, error: string, options?: FinishOptions): Promise<void>;
  /** Stop a queued item that is not leased (e.g. HL7 A13 cancel discharge). */
  cancel(id: number, reason: string): Promise<boolean>;
  /** Make a dead, delivered or cancelled item due again now. */
  replay(id: number): Promise<boolean>;
  get<P>(id: number): Promise<JournalItem<P> | undefined>;
  getByKey<P>(queue: string, key: string): Promise<JournalItem<P> | undefined>;
  list<P>(options?: ListOptions): Promise<JournalItem<P>[]>;
  attempts(id: number): Promise<Attempt[]>;
  counts(queue?: string): Promise<StatusCounts>;
  /** Epoch ms of the earliest queued item's due time (or lease expiry), if any. */
  nextDueAt(queue: string): Promise<number | undefined>;
  /** Delete terminal items older than `before` (dedupe windows, retention). */
  purge(queue: string, before: number, statuses?: readonly ItemStatus[]): Promise<number>;
  /** One retention step (content or metadata), in small batches; see core/journal/prune.ts. */
  prune(rule: PruneRule, options?: PruneOptions): Promise<number>;
  /** Give space freed by pruning back to the filesystem (SQLite incremental vacuum; a no-op on PostgreSQL). */
  reclaimSpace(): Promise<void>;
  /** The hash-chained audit trail kept in the same store (core/audit). */
  readonly audit: AuditLog;
  /** Called after a commit that made items due in `queue`; returns an unsubscribe. */
  watch(queue: string, listener: () => void): () => void;
  /** Throws StorageUnavailableError when the store cannot be written. */
  ping(): Promise<void>;
  /** Exact counts of a queue's items received in a window, by time bucket, status and meta fields (core/journal/tally.ts). */
  tally(options: TallyOptions): Promise<TallyRow[]>;
  /** Re-seals up to `batch` rows under the newest data key; 0 when none is left (or the journal is not encrypted). */
  reencrypt?(batch?: number): Promise<number>;
  close(): Promise<void>;
}

export type { TallyOptions, TallyRow } from './tally.js';
import type { TallyOptions, TallyRow } from './tally.js';

export function emptyCounts(): StatusCounts {
  return { queued: 0, delivered: 0, dead: 0, filtered: 0, rejected: 0, cancelled: 0 };
}
