/**
 * What operators can see and do with the outbox, over the journal alone:
 * `caraloom messages` runs it against the store directly, the admin HTTP API
 * inside the running connector. Summaries carry ids, types, statuses and
 * answers; only `show` returns the message and request (patient data).
 */
import type { Attempt, ItemStatus, Journal, JournalItem } from '../core/journal/types.js';
import type { OutboxPayload } from './outbox.js';
import { outboxQueue } from './outbox.js';

export interface MessageSummary {
  id: number;
  status: ItemStatus;
  controlId: string;
  type: string;
  facility: string;
  mapping: string | null;
  /** refer, cancel, filtered, ignored; or the ACK (AE, AR) for rejected messages. */
  action: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  referralId: string | null;
  receivedAt: string;
  updatedAt: string;
}

export interface MessageDetail extends MessageSummary {
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

export interface ListMessagesOptions {
  status?: ItemStatus | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** @default 50 */
  limit?: number | undefined;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const text = (value: unknown): string | null => (value === undefined || value === null || value === '' ? null : String(value));

export function summary(item: JournalItem): MessageSummary {
  const result = item.result as { referralId?: unknown } | null;
  return {
    id: item.id,
    status: item.status,
    controlId: String(item.meta.controlId ?? ''),
    type: String(item.meta.type ?? ''),
    facility: String(item.meta.facility ?? ''),
    mapping: text(item.meta.mapping),
    action: text(item.meta.ack ?? item.meta.action),
    attempts: item.attempts,
    nextAttemptAt: item.status === 'queued' ? iso(item.availableAt) : null,
    lastError: item.lastError,
    referralId: text(result?.referralId),
    receivedAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
  };
}

export interface ConnectorAdmin {
  list(options?: ListMessagesOptions): Promise<MessageSummary[]>;
  show(id: number): Promise<MessageDetail | undefined>;
  /** Send a dead, delivered or cancelled message again (same Idempotency-Key). */
  replay(id: number): Promise<boolean>;
  /** Replay every dead message (optionally in a time range); returns their ids. */
  replayDead(options?: { since?: number | undefined; until?: number | undefined }): Promise<number[]>;
  counts(): Promise<Record<ItemStatus, number>>;
}

export function createAdmin(journal: Journal): ConnectorAdmin {
  return {
    async list(options = {}) {
      const items = await journal.list({ queue: outboxQueue, status: options.status, since: options.since, until: options.until, limit: options.limit ?? 50, order: 'desc' });
      return items.map(summary);
    },
    async show(id) {
      const item = await journal.get<OutboxPayload>(id);
      if (item === undefined || item.queue !== outboxQueue) return undefined;
      const p = item.payload;
      return {
        ...summary(item),
        hl7: p.hl7,
        encoding: p.encoding,
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
      if (item === undefined || item.queue !== outboxQueue || item.payload.request === undefined) return false;
      return journal.replay(id);
    },
    async replayDead(options = {}) {
      const replayed: number[] = [];
      for (;;) {
        const dead = await journal.list({ queue: outboxQueue, status: 'dead', since: options.since, until: options.until, limit: 500, order: 'asc' });
        if (dead.length === 0) break;
        let progressed = false;
        for (const item of dead) {
          if (await journal.replay(item.id)) {
            replayed.push(item.id);
            progressed = true;
          }
        }
        if (!progressed) break;
      }
      return replayed;
    },
    counts: () => journal.counts(outboxQueue),
  };
}
