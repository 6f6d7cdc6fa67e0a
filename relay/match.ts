import { createHash } from 'node:crypto';
import type { EnqueueInput } from '../core/journal/types.js';
import type { SubscriberConfig } from './config.js';
import { readPath, referralIdOf, type RelayEvent } from './event.js';

/** Journal queues: the inbox (one record per accepted event id) and one per subscriber. */
export const inboxQueue = 'relay.events';
export const subscriberQueuePrefix = 'relay.sub.';
export const subscriberQueue = (name: string): string => `${subscriberQueuePrefix}${name}`;

/** What a delivery item carries: the event as received, so it outlives the inbox record. */
export interface DeliveryPayload {
  event: RelayEvent;
  /** The exact body the API signed, forwarded unchanged to HTTP subscribers. */
  body: string;
}

/** `referral.*` matches `referral.matched`; `*` matches everything. */
export function typeMatches(patterns: readonly string[], type: string): boolean {
  return patterns.some((pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))));
}

/** Every filter field equals (or is one of) the configured values; compared as text. */
export function filterMatches(filter: SubscriberConfig['filter'], data: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([path, wanted]) => {
    const actual = readPath(data, path);
    if (actual === undefined || actual === null || typeof actual === 'object') return false;
    const options = Array.isArray(wanted) ? wanted : [wanted];
    return options.some((option) => String(option) === String(actual));
  });
}

export function wants(subscriber: SubscriberConfig, event: RelayEvent): boolean {
  return typeMatches(subscriber.events, event.type) && filterMatches(subscriber.filter, event.data);
}

/**
 * A delivery id stable for (event, subscriber): the same on every retry,
 * replay and restart, so the subscriber can drop a repeat.
 */
export function deliveryId(eventId: string, subscriber: string): string {
  return `dlv_${createHash('sha256').update(`${eventId}\0${subscriber}`).digest('hex').slice(0, 32)}`;
}

function orderKey(subscriber: SubscriberConfig, event: RelayEvent): string | undefined {
  if (subscriber.ordering === 'subscriber') return 'all';
  if (subscriber.ordering === 'none') return undefined;
  // Events that name no referral (ping) need no order among themselves.
  const referral = referralIdOf(event);
  return referral === undefined ? undefined : `referral:${referral}`;
}

/** The delivery item for one subscriber; its key is the event id, so a repeat is a no-op. */
export function deliveryInput(subscriber: SubscriberConfig, event: RelayEvent, body: string): EnqueueInput {
  const referral = referralIdOf(event);
  return {
    queue: subscriberQueue(subscriber.name),
    key: event.id,
    orderKey: orderKey(subscriber, event),
    payload: { event, body } satisfies DeliveryPayload,
    meta: { eventId: event.id, type: event.type, subscriber: subscriber.name, referralId: referral ?? null, deliveryId: deliveryId(event.id, subscriber.name) },
  };
}

/**
 * Everything one accepted event becomes, committed in one transaction: the
 * inbox record (terminal at once: it exists for dedupe, search and replay)
 * and a delivery for each subscriber that wants it. An accepted event always
 * has its deliveries.
 */
export function fanOut(targets: readonly SubscriberConfig[], event: RelayEvent, body: string): EnqueueInput[] {
  const inbox: EnqueueInput = {
    queue: inboxQueue,
    key: event.id,
    status: 'delivered',
    payload: { event, body } satisfies DeliveryPayload,
    meta: { eventId: event.id, type: event.type, referralId: referralIdOf(event) ?? null, subscribers: targets.map((target) => target.name).join(',') },
  };
  return [inbox, ...targets.map((subscriber) => deliveryInput(subscriber, event, body))];
}
