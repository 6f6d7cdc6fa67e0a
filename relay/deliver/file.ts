import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { JournalItem } from '../../core/journal/types.js';
import { logSafe } from '../../core/log-safe.js';
import type { Logger } from '../../core/logger.js';
import type { FileSubscriberConfig } from '../config.js';
import { deliveryId, type DeliveryPayload } from '../match.js';
import type { SubscriberOutcome } from './outcome.js';

/**
 * A local sink for demos and trials: `file` appends one JSON line per event
 * (with its delivery id, so a reader can drop a repeat after a crash);
 * `log` writes one info line with ids only — never the event's data.
 */
export function createFileDeliverer(subscriber: FileSubscriberConfig) {
  return async (item: JournalItem<DeliveryPayload>): Promise<SubscriberOutcome> => {
    const { event } = item.payload;
    await mkdir(path.dirname(path.resolve(subscriber.path)), { recursive: true });
    const line = JSON.stringify({ deliveryId: deliveryId(event.id, subscriber.name), receivedAt: new Date().toISOString(), event });
    await appendFile(subscriber.path, `${line}\n`, { mode: 0o600 });
    return { kind: 'delivered', result: { file: subscriber.path } };
  };
}

export function createLogDeliverer(name: string, logger: Logger) {
  return async (item: JournalItem<DeliveryPayload>): Promise<SubscriberOutcome> => {
    const { event } = item.payload;
    // The event type is sender content: escaped and capped like every such log field, and never part of the message text.
    logger.info({ subscriber: name, eventId: logSafe(event.id), type: logSafe(event.type), deliveryId: deliveryId(event.id, name) }, 'an event arrived at your subscriber');
    return { kind: 'delivered' };
  };
}
