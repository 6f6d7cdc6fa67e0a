import type { Clock } from '../../core/clock.js';
import type { EnqueueInput, Journal } from '../../core/journal/types.js';
import type { WebhookEvent, WebhookRegistration } from '../domain.js';
import { derivedId } from '../ids.js';

/**
 * Turn events into durable deliveries: one journal item per registration ×
 * event in `sandbox.webhooks`, keyed by a delivery id derived from both (so
 * enqueueing the same event twice after a crash delivers it once), ordered per
 * registration and patient: an endpoint sees one patient's events one at a
 * time, in order (`referral.created` before `referral.matched`), while other
 * patients' events go in parallel, so one slow or failing delivery holds back
 * only its own patient, and throughput is not one round trip at a time.
 */

export const webhookQueue = 'sandbox.webhooks';

/** What a journal item carries: the exact body bytes to send on every attempt. */
export interface DeliveryPayload {
  deliveryId: string;
  webhookId: string;
  eventId: string;
  type: WebhookEvent['type'];
  /** The serialised event; signatures are computed over exactly this. */
  body: string;
}

export function makeEvent(id: string, type: WebhookEvent['type'], data: unknown, clock: Clock): WebhookEvent {
  return { id, type, created_at: new Date(clock.now()).toISOString(), data };
}

/**
 * The journal order key of deliveries to `registration` about `subject` (a
 * referral's patient id): hashed, because a client may send any identifier
 * there. Events about no patient (ping) share the registration's own key.
 */
export function deliveryOrderKey(registration: WebhookRegistration, subject: string | undefined): string {
  return subject === undefined ? registration.id : derivedId('ord', registration.id, subject);
}

export function deliveriesFor(events: readonly WebhookEvent[], registrations: readonly WebhookRegistration[], subject?: string): EnqueueInput[] {
  const inputs: EnqueueInput[] = [];
  for (const event of events) {
    for (const registration of registrations) {
      if (!registration.events.includes(event.type)) continue;
      const deliveryId = derivedId('dlv', registration.id, event.id);
      const payload: DeliveryPayload = { deliveryId, webhookId: registration.id, eventId: event.id, type: event.type, body: JSON.stringify(event) };
      inputs.push({
        queue: webhookQueue,
        key: deliveryId,
        orderKey: deliveryOrderKey(registration, subject),
        payload,
        meta: { webhookId: registration.id, eventId: event.id, eventType: event.type },
      });
    }
  }
  return inputs;
}

/** Commit the deliveries of `events` (about `subject`, a patient id, if any) to every matching registration; resolves after commit. */
export async function enqueueEvents(journal: Journal, events: readonly WebhookEvent[], registrations: readonly WebhookRegistration[], subject?: string): Promise<number> {
  const inputs = deliveriesFor(events, registrations, subject);
  if (inputs.length === 0) return 0;
  const results = await journal.enqueueMany(inputs);
  return results.filter((result) => result.created).length;
}
