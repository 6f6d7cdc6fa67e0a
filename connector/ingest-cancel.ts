/**
 * A13 cancel discharge: the newest referral for the patient still waiting in
 * the outbox is cancelled; if it already went out (or is going out right
 * now) the A13 is recorded with that verdict, for a person to withdraw the
 * referral with CaraLoom (the public API has no cancel endpoint).
 */
import type { Journal } from '../core/journal/types.js';
import { outboxQueue, type CancelOutcome } from './outbox.js';

export interface CancelVerdict {
  itemId: number;
  outcome: CancelOutcome;
  referralId?: string;
}

export async function cancelReferral(journal: Journal, patient: string): Promise<CancelVerdict> {
  const meta = { patient, action: 'refer' };
  const [queued] = await journal.list({ queue: outboxQueue, status: 'queued', meta, order: 'desc', limit: 1 });
  if (queued !== undefined) {
    // false when the worker holds a lease on it: it is being sent right now.
    const cancelled = await journal.cancel(queued.id, 'cancelled by ADT^A13');
    return { itemId: queued.id, outcome: cancelled ? 'cancelled' : 'in-flight' };
  }
  const [delivered] = await journal.list({ queue: outboxQueue, status: 'delivered', meta, order: 'desc', limit: 1 });
  if (delivered !== undefined) {
    const referralId = (delivered.result as { referralId?: unknown } | null)?.referralId;
    return typeof referralId === 'string' ? { itemId: delivered.id, outcome: 'already-delivered', referralId } : { itemId: delivered.id, outcome: 'already-delivered' };
  }
  return { itemId: 0, outcome: 'not-found' };
}
