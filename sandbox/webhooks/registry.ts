import type { Clock } from '../../core/clock.js';
import { CaraloomError } from '../../core/errors.js';
import type { Journal } from '../../core/journal/types.js';
import { generateSecret } from '../../core/signature.js';
import type { WebhookEvent, WebhookEventType, WebhookRegistration } from '../domain.js';
import { newId } from '../ids.js';
import type { SandboxStore } from '../store/store.js';
import { enqueueEvents, makeEvent, webhookQueue } from './outbox.js';

/**
 * Webhook registrations, per API key. Secrets are `whsec_…` values shown once
 * at registration and kept in the store in clear, because the sandbox must
 * sign with them (a local development tool; a production API would keep them
 * in a secrets store).
 */

export interface RegisterInput {
  url: string;
  events: WebhookEventType[];
}

export interface WebhookServiceOptions {
  store: SandboxStore;
  journal: Journal;
  clock: Clock;
  /** @default 10 */
  maxPerKey?: number;
}

export class WebhookService {
  constructor(private readonly options: WebhookServiceOptions) {}

  find(id: string): WebhookRegistration | undefined {
    return this.options.store.data.webhooks[id];
  }

  /** Registrations of one key, oldest first. */
  list(keyId: string): WebhookRegistration[] {
    return Object.values(this.options.store.data.webhooks).filter((registration) => registration.keyId === keyId);
  }

  /** Register, persist, and send a `ping` to the new endpoint. Returns the registration with its secret. */
  async register(keyId: string, input: RegisterInput): Promise<WebhookRegistration> {
    const { store, journal, clock } = this.options;
    const limit = this.options.maxPerKey ?? 10;
    if (this.list(keyId).length >= limit) {
      throw new CaraloomError('WEBHOOK_LIMIT', `a key may register at most ${limit} webhooks; delete one first`, { status: 409 });
    }
    const registration: WebhookRegistration = {
      id: newId('wh'),
      url: input.url,
      events: [...new Set(input.events)],
      secret: generateSecret(),
      keyId,
      createdAt: new Date(clock.now()).toISOString(),
    };
    store.data.webhooks[registration.id] = registration;
    await store.save();
    // The ping goes to the new endpoint whatever events it chose: it proves the secret works.
    const ping = makeEvent(newId('evt'), 'ping', { webhook_id: registration.id, message: 'CaraLoom sandbox webhook registered' }, clock);
    await enqueueEvents(journal, [ping], [{ ...registration, events: ['ping'] }]);
    return registration;
  }

  /**
   * True when it existed and belonged to the key. Its waiting deliveries are
   * cancelled; one in flight at this moment goes dead on its next attempt.
   */
  async remove(keyId: string, id: string): Promise<boolean> {
    const { store, journal } = this.options;
    const registration = store.data.webhooks[id];
    if (registration === undefined || registration.keyId !== keyId) return false;
    delete store.data.webhooks[id];
    await store.save();
    for (const item of await journal.list({ queue: webhookQueue, status: 'queued', meta: { webhookId: id }, limit: 10_000 })) {
      await journal.cancel(item.id, 'webhook registration deleted');
    }
    return true;
  }

  /** Enqueue events about `subject` (a patient id: kept in order per registration) for every registration of `keyId` that wants them. */
  async publish(keyId: string, events: readonly WebhookEvent[], subject?: string): Promise<number> {
    return enqueueEvents(this.options.journal, events, this.list(keyId), subject);
  }
}
