import type { Clock } from '../core/clock.js';
import { CaraloomError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { matchClinicians } from './clinicians/match.js';
import type { Clinician, Referral, ReferralInput, ReferralStatus } from './domain.js';
import { derivedId, fingerprint, newId } from './ids.js';
import type { SandboxStore } from './store/store.js';
import { resolveReferralInput } from './referral-input.js';
import { referralJson } from './views/native.js';
import { makeEvent } from './webhooks/outbox.js';
import type { WebhookService } from './webhooks/registry.js';

/**
 * The one way a referral comes to exist, whichever door it came through
 * (native JSON or FHIR ServiceRequest): validate, honour Idempotency-Key,
 * match clinicians, persist, then commit `referral.created` and
 * `referral.matched` deliveries to the journal, so webhooks fire identically.
 */

export interface CreateReferralOptions {
  /** The caller's key id (`ctx.state.apiKey.id`). */
  keyId: string;
  /** The request's `Idempotency-Key` header, if any. */
  idempotencyKey?: string | undefined;
  source: 'native' | 'fhir';
  /** The ServiceRequest as posted (FHIR door only). */
  fhir?: Record<string, unknown> | undefined;
}

export interface CreateReferralResult {
  referral: Referral;
  /** True when an earlier request with the same Idempotency-Key and body created it. */
  replayed: boolean;
}

export interface ReferralFilter {
  /** Only referrals created with this key. */
  keyId?: string | undefined;
  patientId?: string | undefined;
  status?: readonly ReferralStatus[] | undefined;
  externalId?: string | undefined;
  /** @default 0 */
  offset?: number | undefined;
  /** @default 20 */
  count?: number | undefined;
}

export interface ReferralServiceOptions {
  store: SandboxStore;
  clinicians: readonly Clinician[];
  webhooks: WebhookService;
  clock: Clock;
  logger: Logger;
}

/** Idempotency keys: printable ASCII, 1–255 characters (as Stripe and the IETF draft allow). */
export const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

export class ReferralService {
  constructor(private readonly options: ReferralServiceOptions) {}

  async create(input: ReferralInput, options: CreateReferralOptions): Promise<CreateReferralResult> {
    const { store, clock, clinicians } = this.options;
    const resolved = resolveReferralInput(input);
    if (!resolved.ok) {
      throw new CaraloomError('REFERRAL_INVALID', `referral is not valid: ${resolved.issues.map((issue) => issue.field).join(', ')}`, { status: 422, details: resolved.issues });
    }
    const { value } = resolved;
    const idempotencyKey = options.idempotencyKey;
    if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
      throw new CaraloomError('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1 to 255 printable ASCII characters', { status: 400 });
    }
    // Everything up to addReferral is synchronous: two identical requests racing see each other.
    const print = fingerprint({ input: value.input, source: options.source, fhir: options.fhir });
    const slot = idempotencyKey === undefined ? undefined : `${options.keyId} ${idempotencyKey}`;
    const earlier = slot === undefined ? undefined : store.data.idempotency[slot];
    if (earlier !== undefined) {
      const referral = store.data.referrals[earlier.referralId];
      if (earlier.fingerprint !== print) {
        throw new CaraloomError('IDEMPOTENCY_CONFLICT', 'Idempotency-Key was already used with a different request body', { status: 409, details: { referral_id: earlier.referralId } });
      }
      if (referral !== undefined) {
        await store.save();
        return { referral, replayed: true };
      }
    }
    const now = new Date(clock.now()).toISOString();
    const matches = matchClinicians(clinicians, { careType: value.careType, diagnosis: value.diagnosis, place: value.place });
    const referral: Referral = {
      id: newId('ref'),
      status: matches.length > 0 ? 'matched' : 'pending',
      primaryDiagnosis: value.diagnosis,
      careType: value.careType.name,
      zip: value.place.zip,
      city: value.place.city,
      state: value.place.state,
      priority: value.input.priority ?? 'routine',
      dischargeDate: value.input.dischargeDate,
      facility: value.input.facility,
      externalId: value.input.externalId,
      notes: value.input.notes,
      patient: { id: value.input.patient?.id ?? newId('pat', 8), display: value.input.patient?.display },
      encounterId: newId('enc', 8),
      matches,
      keyId: options.keyId,
      source: options.source,
      fhir: options.fhir,
      createdAt: now,
      updatedAt: now,
    };
    store.addReferral(referral);
    if (slot !== undefined) store.remember(slot, { keyId: options.keyId, key: idempotencyKey!, fingerprint: print, referralId: referral.id, createdAt: now });
    store.data.pendingEvents.push(referral.id);
    await store.save();
    await this.publish(referral);
    return { referral, replayed: false };
  }

  get(id: string, keyId?: string): Referral | undefined {
    const referral = this.options.store.data.referrals[id];
    return referral !== undefined && (keyId === undefined || referral.keyId === keyId) ? referral : undefined;
  }

  /** Newest first, filtered, paged: `total` counts every match before paging. */
  list(filter: ReferralFilter = {}): { total: number; items: Referral[] } {
    const offset = Math.max(0, filter.offset ?? 0);
    const count = Math.max(0, filter.count ?? 20);
    const all = Object.values(this.options.store.data.referrals).filter(
      (referral) =>
        (filter.keyId === undefined || referral.keyId === filter.keyId) &&
        (filter.patientId === undefined || referral.patient.id === filter.patientId) &&
        (filter.externalId === undefined || referral.externalId === filter.externalId) &&
        (filter.status === undefined || filter.status.includes(referral.status)),
    );
    all.reverse();
    return { total: all.length, items: all.slice(offset, offset + count) };
  }

  /** Enqueue the events of referrals persisted before a crash cut publishing short (start-up). */
  async publishPending(): Promise<number> {
    const { store } = this.options;
    let published = 0;
    for (const id of [...store.data.pendingEvents]) {
      const referral = store.data.referrals[id];
      if (referral !== undefined) published += await this.publish(referral);
      else store.data.pendingEvents = store.data.pendingEvents.filter((pending) => pending !== id);
    }
    await store.save();
    return published;
  }

  /**
   * `referral.created` (as first recorded: pending, no matches) then
   * `referral.matched` when clinicians were chosen. Event ids derive from the
   * referral, so a second publish after a crash is deduplicated by the journal.
   */
  private async publish(referral: Referral): Promise<number> {
    const { store, clock, webhooks } = this.options;
    const created = makeEvent(derivedId('evt', referral.id, 'referral.created'), 'referral.created', referralJson({ ...referral, status: 'pending', matches: [] }), clock);
    const events = [created];
    if (referral.matches.length > 0) events.push(makeEvent(derivedId('evt', referral.id, 'referral.matched'), 'referral.matched', referralJson(referral), clock));
    // One patient's events reach a webhook in order; other patients' go in parallel.
    const count = await webhooks.publish(referral.keyId, events, referral.patient.id);
    store.data.pendingEvents = store.data.pendingEvents.filter((id) => id !== referral.id);
    // Not worth a synced write of its own: losing it only means the same events are enqueued again, and deduplicated.
    store.saveLater();
    return count;
  }
}
