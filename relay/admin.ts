import type { Clock } from '../core/clock.js';
import type { Attempt, ItemStatus, Journal, JournalItem } from '../core/journal/types.js';
import { idBoundBefore } from '../core/journal/id-bounds.js';
import type { SubscriberConfig } from './config.js';
import type { RelayEvent } from './event.js';
import { deliveryId, deliveryInput, inboxQueue, subscriberQueue, subscriberQueuePrefix, wants, type DeliveryPayload } from './match.js';
import { createPauses } from './pauses.js';
import type { SubscriberHealth } from './subscriber.js';

/**
 * What operators can see and do, over the journal alone: the CLI runs it
 * against the store directly, the admin HTTP API inside the running relay.
 * Views carry ids, types, statuses and answers — the event's data only in
 * `showEvent`, which exists to show it.
 */

export interface EventSummary {
  eventId: string;
  type: string;
  referralId: string | null;
  receivedAt: string;
  subscribers: string[];
}

export interface DeliverySummary {
  id: number;
  subscriber: string;
  eventId: string;
  type: string;
  deliveryId: string;
  status: ItemStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SubscriberStatus {
  name: string;
  kind: SubscriberConfig['kind'] | 'unconfigured';
  /**
   * `paused` (410 or an operator), `circuit-open` (only known inside the running
   * relay), `failing` (the oldest waiting delivery has failed attempts), `healthy`.
   */
  state: SubscriberHealth | 'failing';
  pausedReason: string | null;
  /** The oldest waiting delivery's last error, when it has one. */
  lastError: string | null;
  backlog: number;
  dead: number;
  delivered: number;
  oldestQueuedAt: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function eventSummary(item: JournalItem): EventSummary {
  const subscribers = String(item.meta.subscribers ?? '');
  return {
    eventId: item.key ?? '',
    type: String(item.meta.type ?? ''),
    referralId: (item.meta.referralId as string | null) ?? null,
    receivedAt: iso(item.createdAt),
    subscribers: subscribers === '' ? [] : subscribers.split(','),
  };
}

/** Events received in one time bucket of one type. */
export interface EventActivity {
  since: string;
  bucketMs: number;
  rows: Array<{ bucket: number; type: string | null; count: number }>;
}

export function deliverySummary(item: JournalItem): DeliverySummary {
  return {
    id: item.id,
    subscriber: item.queue.slice(subscriberQueuePrefix.length),
    eventId: item.key ?? '',
    type: String(item.meta.type ?? ''),
    deliveryId: String(item.meta.deliveryId ?? ''),
    status: item.status,
    attempts: item.attempts,
    nextAttemptAt: item.status === 'queued' ? iso(item.availableAt) : null,
    lastError: item.lastError,
    createdAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
  };
}

/** What roles below `phi` see of an event: ids, type, deliveries — not the event's data. */
export function eventWithoutContent<T extends { event: unknown }>(view: T): Omit<T, 'event'> & { event: null; content: false } {
  return { ...view, event: null, content: false };
}

/** A delivery without the subscriber's answer or answer excerpts. */
export function deliveryWithoutContent<T extends { result: unknown; history: Attempt[] }>(view: T): T & { content: false } {
  return { ...view, result: null, history: view.history.map(({ response: _response, ...attempt }) => attempt), content: false };
}

export interface RangeOptions {
  since?: number | undefined;
  until?: number | undefined;
  limit?: number | undefined;
}

export interface AdminOptions {
  /** Live circuit state, when running inside the relay. */
  health?: ((name: string) => SubscriberHealth | undefined) | undefined;
  /** Which subscribers an event goes to (the relay's own rule, templates included). @default type and filters */
  accepting?: ((event: RelayEvent) => readonly SubscriberConfig[]) | undefined;
}

export function createAdmin(journal: Journal, subscribers: readonly SubscriberConfig[], clock: Clock, options: AdminOptions = {}) {
  const health = options.health;
  const accepting = options.accepting ?? ((event: RelayEvent) => subscribers.filter((candidate) => wants(candidate, event)));
  const pauses = createPauses(journal);
  const known = (name: string): SubscriberConfig | undefined => subscribers.find((subscriber) => subscriber.name === name);

  async function replayDeadOf(subscriber: string, range: RangeOptions): Promise<number> {
    let count = 0;
    let afterId: number | undefined = 0;
    while (afterId !== undefined) {
      const page: JournalItem[] = await journal.list({ queue: subscriberQueue(subscriber), status: 'dead', since: range.since, until: range.until, afterId, order: 'asc', limit: 200 });
      for (const item of page) if (item.payload !== null && (await journal.replay(item.id))) count += 1;
      afterId = page.length === 200 ? page[page.length - 1]!.id : undefined;
    }
    return count;
  }

  return {
    async listEvents(options: RangeOptions & { type?: string | undefined; referralId?: string | undefined } = {}): Promise<EventSummary[]> {
      // referralId: the webhooks that came back for one referral (the console's message detail).
      const meta = Object.fromEntries(Object.entries({ type: options.type, referralId: options.referralId }).filter(([, value]) => value !== undefined)) as Record<string, string>;
      const items = await journal.list({ queue: inboxQueue, since: options.since, until: options.until, limit: options.limit ?? 50, meta: Object.keys(meta).length === 0 ? undefined : meta });
      return items.map(eventSummary);
    },

    /** Exact counts of the events received since a time, per time bucket and event type (the console's dashboard). */
    async eventActivity({ since, bucketMs }: { since: number; bucketMs: number }): Promise<EventActivity> {
      const afterId = await idBoundBefore(journal, inboxQueue, since);
      const rows = await journal.tally({ queue: inboxQueue, since, afterId, bucketMs, fields: ['type'] });
      return { since: new Date(since).toISOString(), bucketMs, rows: rows.map((row) => ({ bucket: row.bucket, type: row.values[0] ?? null, count: row.count })) };
    },

    /** An event with its deliveries; after the dedupe window it is rebuilt from its deliveries. */
    async showEvent(eventId: string) {
      const item = await journal.getByKey<DeliveryPayload>(inboxQueue, eventId);
      const deliveries = await journal.list<DeliveryPayload>({ queuePrefix: subscriberQueuePrefix, meta: { eventId }, order: 'asc', limit: 1_000 });
      const source = item ?? deliveries[0];
      if (source === undefined) return undefined;
      const summary = item !== undefined ? eventSummary(item) : { ...eventSummary(source), subscribers: deliveries.map((delivery) => String(delivery.meta.subscriber)) };
      // Retention may have removed the data already (payload null): the record stays, the content does not.
      const withData = [item, ...deliveries].find((candidate) => candidate?.payload !== null && candidate?.payload !== undefined);
      return { ...summary, eventId, event: (withData?.payload.event ?? null) as RelayEvent | null, deliveries: deliveries.map(deliverySummary) };
    },

    /**
     * Deliver an event again: to one subscriber or every subscriber that wants
     * it now (including ones added since). Existing deliveries are replayed
     * with their stable delivery id; missing ones are created.
     */
    async replayEvent(eventId: string, subscriber?: string): Promise<{ replayed: string[]; skipped: string[] } | undefined> {
      // Deliveries carry the event too, so a replay still works after the inbox record is purged.
      const candidates = [await journal.getByKey<DeliveryPayload>(inboxQueue, eventId), ...(await journal.list<DeliveryPayload>({ queuePrefix: subscriberQueuePrefix, meta: { eventId }, limit: 100 }))];
      // An event whose data retention removed cannot be sent again.
      const item = candidates.find((candidate) => candidate !== undefined && candidate.payload !== null);
      if (item === undefined) return undefined;
      const { event, body } = item.payload;
      const targets = subscriber === undefined ? accepting(event) : [known(subscriber)].filter((entry) => entry !== undefined);
      const replayed: string[] = [];
      const skipped: string[] = [];
      for (const target of targets) {
        const result = await journal.enqueue(deliveryInput(target, event, body));
        if (result.created || (await journal.replay(result.item.id))) replayed.push(target.name);
        else skipped.push(target.name); // still queued: it will be delivered anyway
      }
      return { replayed, skipped };
    },

    async listDeliveries(options: RangeOptions & { subscriber?: string | undefined; status?: ItemStatus | undefined; eventId?: string | undefined } = {}): Promise<DeliverySummary[]> {
      const items = await journal.list({
        ...(options.subscriber === undefined ? { queuePrefix: subscriberQueuePrefix } : { queue: subscriberQueue(options.subscriber) }),
        status: options.status,
        since: options.since,
        until: options.until,
        limit: options.limit ?? 50,
        meta: options.eventId === undefined ? undefined : { eventId: options.eventId },
      });
      return items.map(deliverySummary);
    },

    async showDelivery(id: number): Promise<(DeliverySummary & { history: Attempt[]; result: unknown }) | undefined> {
      const item = await journal.get(id);
      if (item === undefined || !item.queue.startsWith(subscriberQueuePrefix)) return undefined;
      return { ...deliverySummary(item), history: await journal.attempts(id), result: item.result };
    },

    async replayDelivery(id: number): Promise<boolean> {
      const item = await journal.get(id);
      if (item === undefined || !item.queue.startsWith(subscriberQueuePrefix) || item.payload === null) return false;
      return journal.replay(id);
    },

    /** Replay every dead delivery of one subscriber, or of all, optionally created within a time range. */
    async replayDead(subscriber: string | undefined, range: RangeOptions = {}): Promise<number> {
      let total = 0;
      for (const name of subscriber === undefined ? subscribers.map((each) => each.name) : [subscriber]) total += await replayDeadOf(name, range);
      return total;
    },

    /**
     * Every configured subscriber, plus any that recent events went to but this
     * config does not name (`--subscriber` trials, or one since removed), so the
     * CLI without the relay's exact flags still shows them (kind `unconfigured`).
     */
    async subscriberStatus(): Promise<SubscriberStatus[]> {
      const recent = await journal.list({ queue: inboxQueue, limit: 500 });
      const seen = new Set(recent.flatMap((item) => String(item.meta.subscribers ?? '').split(',')).filter((name) => name !== ''));
      const all: Array<{ name: string; kind: SubscriberStatus['kind'] }> = [
        ...subscribers.map((subscriber) => ({ name: subscriber.name, kind: subscriber.kind })),
        ...[...seen].filter((name) => known(name) === undefined).sort().map((name) => ({ name, kind: 'unconfigured' as const })),
      ];
      return Promise.all(
        all.map(async (subscriber) => {
          const queue = subscriberQueue(subscriber.name);
          const [counts, pause, oldest] = await Promise.all([journal.counts(queue), pauses.get(subscriber.name), journal.list({ queue, status: 'queued', order: 'asc', afterId: 0, limit: 1 })]);
          const head = oldest[0];
          const live = health?.(subscriber.name);
          const state: SubscriberStatus['state'] =
            pause !== undefined ? 'paused' : live === 'circuit-open' ? live : head !== undefined && head.attempts > 0 ? 'failing' : 'healthy';
          return {
            name: subscriber.name,
            kind: subscriber.kind,
            state,
            pausedReason: pause?.reason ?? null,
            lastError: head?.lastError ?? null,
            backlog: counts.queued,
            dead: counts.dead,
            delivered: counts.delivered,
            oldestQueuedAt: head === undefined ? null : iso(head.createdAt),
          };
        }),
      );
    },

    async pause(subscriber: string, reason = 'paused by an operator'): Promise<boolean> {
      if (known(subscriber) === undefined) return false;
      await pauses.pause(subscriber, reason, clock.now());
      return true;
    },

    async resume(subscriber: string): Promise<boolean> {
      if (known(subscriber) === undefined) return false;
      await pauses.resume(subscriber);
      return true;
    },

    deliveryIdOf: deliveryId,
  };
}

export type RelayAdmin = ReturnType<typeof createAdmin>;
