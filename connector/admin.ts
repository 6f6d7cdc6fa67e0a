/**
 * What operators can see and do with the outbox, over the journal alone:
 * `caraloom messages` runs it against the store directly, the admin HTTP API
 * inside the running connector. Summaries carry ids, types, statuses and
 * answers; only `show` returns the message and request (patient data).
 */
import type { AuditLog } from '../core/audit/log.js';
import type { Attempt, ItemStatus, Journal, JournalItem } from '../core/journal/types.js';
import type { OutboxPayload } from './outbox.js';
import { outboxQueue, readOutboxPayload, statusQuery, type MessageStatus } from './outbox.js';
import { idBoundBefore } from '../core/journal/id-bounds.js';
import { listNewest } from './list-window.js';
import type { Playground, PlaygroundKind, PlaygroundRun } from './playground.js';

export interface MessageSummary {
  id: number;
  status: ItemStatus;
  controlId: string;
  type: string;
  facility: string;
  mapping: string | null;
  /** The content hash of the mapping file it was mapped with (connector/mapping/registry.ts); null for records from before #15. */
  mappingHash: string | null;
  /** The door it came in by (`mllp`, `http`, `fhir`); null once retention removed the content. */
  door: string | null;
  /** The sending system's address (TCP peer); null for messages recorded before it was kept. */
  peer: string | null;
  /** refer, cancel, filtered, ignored; or the ACK (AE, AR) for rejected messages. */
  action: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  referralId: string | null;
  receivedAt: string;
  updatedAt: string;
}

export interface MessageDetail extends Omit<MessageSummary, 'door'> {
  /** Patient data. */
  hl7: string;
  encoding: string;
  door: string;
  /** Patient data. */
  request: OutboxPayload['request'] | null;
  idempotencyKey: string | null;
  reason: string | null;
  errors: OutboxPayload['errors'] | null;
  cancels: OutboxPayload['cancels'] | null;
  result: unknown;
  attemptLog: Attempt[];
}

/** What roles below `phi` see of a message: the detail with every field that carries patient data emptied. */
export type MessageView = Omit<MessageDetail, 'hl7' | 'request' | 'result' | 'attemptLog'> & {
  hl7: string | null;
  request: MessageDetail['request'];
  result: unknown;
  attemptLog: Attempt[];
  /** False when the view left content out (role below `phi`). */
  content: boolean;
};

/** Strips raw HL7, the mapped request, the API's answer and answer excerpts; keeps ids, statuses, errors and timing. */
export function withoutContent(detail: MessageDetail): MessageView {
  return { ...detail, hl7: null, request: null, result: null, attemptLog: detail.attemptLog.map(({ response: _response, ...attempt }) => attempt), content: false };
}

export interface ListMessagesOptions {
  /** A journal status, or `ignored` (events no mapping selects: `filtered` records with action `ignored`). */
  status?: MessageStatus | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** @default 50 */
  limit?: number | undefined;
  /** Keyset paging, newest first: only messages with a smaller id than this. */
  before?: number | undefined;
  /** Exact matches on the searchable metadata. */
  type?: string | undefined;
  controlId?: string | undefined;
  facility?: string | undefined;
  mapping?: string | undefined;
  /** The API's referral id (kept in the delivery answer, not in the searchable metadata): a bounded scan of the newest delivered messages. */
  referralId?: string | undefined;
}

/** How many messages a referral id search reads at most before it gives up. */
export const referralScanLimit = 10_000;

const iso = (ms: number): string => new Date(ms).toISOString();
const text = (value: unknown): string | null => (value === undefined || value === null || value === '' ? null : String(value));

export function summary(item: JournalItem): MessageSummary {
  const result = item.result as { referralId?: unknown } | null;
  const payload = item.payload as { door?: unknown; kind?: unknown } | null;
  return {
    id: item.id,
    status: item.status,
    controlId: String(item.meta.controlId ?? ''),
    type: String(item.meta.type ?? ''),
    facility: String(item.meta.facility ?? ''),
    mapping: text(item.meta.mapping),
    mappingHash: text(item.meta.mappingHash),
    // FHIR payloads carry their endpoint as `door`; the console counts them under one door.
    door: payload === null ? text(item.meta.door) : payload.kind === 'fhir' ? 'fhir' : text(payload.door),
    peer: text(item.meta.peer),
    action: text(item.meta.ack ?? item.meta.action),
    attempts: item.attempts,
    nextAttemptAt: item.status === 'queued' ? iso(item.availableAt) : null,
    lastError: item.lastError,
    referralId: text(result?.referralId),
    receivedAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
  };
}

/** Messages received in one time bucket with one status, door, mapping and action (or ACK code). */
export interface ActivityRow {
  /** `floor((receivedAt - since) / bucketMs)`. */
  bucket: number;
  status: ItemStatus;
  /** `mllp`, `http`, `fhir`; null for messages recorded before the door was kept in their metadata. */
  door: string | null;
  mapping: string | null;
  /** The ACK code of a refused message (AE, AR), else refer, cancel, filtered, ignored. */
  action: string | null;
  count: number;
}

export interface Activity {
  since: string;
  bucketMs: number;
  rows: ActivityRow[];
}

export interface ConnectorAdmin {
  list(options?: ListMessagesOptions): Promise<MessageSummary[]>;
  /** Exact counts of the messages received since a time, per time bucket, status, door, mapping and action (the console's dashboard). */
  activity(options: { since: number; bucketMs: number }): Promise<Activity>;
  show(id: number): Promise<MessageDetail | undefined>;
  /** Send a dead, delivered or cancelled message again (same Idempotency-Key). */
  replay(id: number): Promise<boolean>;
  /** Replay every dead message (optionally in a time range); returns their ids. */
  replayDead(options?: { since?: number | undefined; until?: number | undefined }): Promise<number[]>;
  counts(): Promise<Record<ItemStatus, number>>;
  /** When the oldest still-queued message was received, if any. */
  oldestQueuedAt(): Promise<string | null>;
  /** Stop a queued message that is not being sent right now. */
  cancel(id: number, reason: string): Promise<boolean>;
  /** The journal's audit trail: views of content and actions are recorded here. */
  readonly audit: AuditLog;
  /** The mapping playground (`caraloom map` over HTTP): nothing is stored. Absent when the connector was built without mappings. */
  dryRun?: ((kind: PlaygroundKind, body: Buffer) => PlaygroundRun) | undefined;
  /** The Discharge API as the running connector last saw it. */
  apiState?: (() => ApiState) | undefined;
}

export interface ApiState {
  /** The last readiness probe's verdict, and when it was asked (null: not yet). */
  reachable: boolean | null;
  checkedAt: string | null;
  /** The last delivery answer: HTTP status (or none for a network error) and outcome. */
  lastAnswer: { at: string; status: number | null; outcome: string } | null;
  /** The API's `rate` windows as last answered (`minute`, `day`), remaining requests each. */
  rate: Array<{ window: string; remaining: number; resetAt: string }>;
}

export interface AdminExtras {
  playground?: Playground | undefined;
  apiState?: (() => ApiState) | undefined;
}

const metaFilter = (options: ListMessagesOptions) => {
  const meta = Object.fromEntries(Object.entries({ type: options.type, controlId: options.controlId, facility: options.facility, mapping: options.mapping }).filter(([, value]) => value !== undefined)) as Record<string, string>;
  return Object.keys(meta).length === 0 ? undefined : meta;
};

/** The newest messages whose delivery answer names this referral id, newest first (a bounded scan: the id is not indexed). */
async function findByReferral(journal: Journal, options: ListMessagesOptions, limit: number): Promise<MessageSummary[]> {
  const byStatus = statusQuery(options.status ?? 'delivered');
  const meta = byStatus.meta === undefined ? metaFilter(options) : { ...metaFilter(options), ...byStatus.meta };
  const found: MessageSummary[] = [];
  const seen = new Set<number>();
  let until = options.until;
  for (let read = 0; read < referralScanLimit && found.length < limit; ) {
    const page = await journal.list({ queue: outboxQueue, status: byStatus.status, since: options.since, until, meta, order: 'desc', limit: 500 });
    const fresh = page.filter((item) => !seen.has(item.id) && (options.before === undefined || item.id < options.before));
    for (const item of fresh) {
      seen.add(item.id);
      if ((item.result as { referralId?: unknown } | null)?.referralId === options.referralId) found.push(summary(item));
    }
    read += page.length;
    // Paged by receive time; the same millisecond may repeat across pages, hence `seen`.
    if (page.length < 500 || fresh.length === 0) break;
    until = page.at(-1)!.createdAt + 1;
  }
  return found.slice(0, limit);
}

export function createAdmin(journal: Journal, extras: AdminExtras = {}): ConnectorAdmin {
  const playground = extras.playground;
  return {
    dryRun: playground === undefined ? undefined : (kind, body) => playground.run(kind, body),
    apiState: extras.apiState,
    async list(options = {}) {
      const limit = options.limit ?? 50;
      if (options.referralId !== undefined) return findByReferral(journal, options, limit);
      const byStatus = statusQuery(options.status);
      const meta = byStatus.meta === undefined ? metaFilter(options) : { ...metaFilter(options), ...byStatus.meta };
      return (await listNewest(journal, { queue: outboxQueue, status: byStatus.status, meta, since: options.since, until: options.until, before: options.before, limit })).map(summary);
    },
    async show(id) {
      const item = await journal.get(id);
      if (item === undefined || item.queue !== outboxQueue) return undefined;
      // Read through readOutboxPayload: records written before payloads carried `kind` are HL7.
      const p = readOutboxPayload(item.payload);
      return {
        ...summary(item),
        hl7: p.kind === 'hl7' ? p.hl7 : '',
        encoding: p.kind === 'hl7' ? p.encoding : 'utf-8',
        door: p.door,
        request: p.request ?? null,
        idempotencyKey: p.idempotencyKey ?? null,
        reason: p.reason ?? null,
        errors: p.errors ?? null,
        cancels: p.cancels ?? null,
        result: item.result,
        attemptLog: await journal.attempts(id),
      };
    },
    async replay(id) {
      const item = await journal.get<OutboxPayload>(id);
      // Only referrals go out; replaying a filtered or rejected record would send nothing.
      // A record whose content retention removed has nothing left to send.
      if (item === undefined || item.queue !== outboxQueue || item.payload === null || item.payload.request === undefined) return false;
      return journal.replay(id);
    },
    async replayDead(options = {}) {
      const replayed: number[] = [];
      for (;;) {
        const dead = await journal.list({ queue: outboxQueue, status: 'dead', since: options.since, until: options.until, limit: 500, order: 'asc' });
        if (dead.length === 0) break;
        let progressed = false;
        for (const item of dead) {
          if (item.payload !== null && (await journal.replay(item.id))) {
            replayed.push(item.id);
            progressed = true;
          }
        }
        if (!progressed) break;
      }
      return replayed;
    },
    audit: journal.audit,
    counts: () => journal.counts(outboxQueue),
    async activity({ since, bucketMs }) {
      const afterId = await idBoundBefore(journal, outboxQueue, since);
      const rows = await journal.tally({ queue: outboxQueue, since, afterId, bucketMs, fields: ['door', 'mapping', 'ack', 'action'] });
      return { since: iso(since), bucketMs, rows: rows.map((row) => ({ bucket: row.bucket, status: row.status, door: row.values[0] ?? null, mapping: row.values[1] ?? null, action: row.values[2] ?? row.values[3] ?? null, count: row.count })) };
    },
    async oldestQueuedAt() {
      const [oldest] = await journal.list({ queue: outboxQueue, status: 'queued', afterId: 0, order: 'asc', limit: 1 });
      return oldest === undefined ? null : iso(oldest.createdAt);
    },
    async cancel(id, reason) {
      const item = await journal.get(id);
      return item !== undefined && item.queue === outboxQueue && journal.cancel(id, reason);
    },
  };
}
