import { DataKeyError } from '../../core/crypto/keys.js';
import { isSealed, type JournalCipher } from '../../core/journal/cipher.js';
import type { Referral } from '../domain.js';

/**
 * Referrals at rest in `sandbox.json` (issue #13 §2): the whole referral is
 * sealed with AES-256-GCM under the data key (the journal's JournalCipher,
 * so the same keyring, envelope and rotation), its id as associated data so
 * a sealed body copied under another id does not open. What a person needs
 * to read the file without the key stays plain beside it: id, status, the
 * creating key's id, the door and the times. The sandbox only ever receives
 * de-identified data, but the masked subject, diagnosis, ZIP and notes are
 * still a patient's story: they are in the sealed part.
 */
export interface SealedReferral {
  id: string;
  status: Referral['status'];
  keyId: string;
  source: Referral['source'];
  createdAt: string;
  updatedAt: string;
  sealed: string;
}

export const referralAad = (id: string): string => `sandbox|referral|${id}`;

const isSealedRecord = (value: unknown): value is SealedReferral => typeof (value as { sealed?: unknown })?.sealed === 'string';

export class ReferralSealer {
  /** lowdb rewrites every referral on every write: unchanged ones keep their ciphertext instead of being sealed again. */
  readonly #cache = new WeakMap<Referral, { plain: string; keyId: string; record: SealedReferral }>();

  constructor(readonly cipher: JournalCipher | undefined) {}

  /** What goes to disk: sealed when there is a key, the referral itself when there is none (a store never encrypted). */
  seal(referral: Referral): SealedReferral | Referral {
    const cipher = this.cipher;
    if (cipher === undefined) return referral;
    const plain = JSON.stringify(referral);
    const cached = this.#cache.get(referral);
    if (cached !== undefined && cached.plain === plain && cached.keyId === cipher.currentKeyId) return cached.record;
    const { id, status, keyId, source, createdAt, updatedAt } = referral;
    const record = { id, status, keyId, source, createdAt, updatedAt, sealed: cipher.seal(referralAad(id), plain) };
    this.#cache.set(referral, { plain, keyId: cipher.currentKeyId, record });
    return record;
  }

  /** What was read: a sealed record opened (or refused), a plain one from before encryption taken as it is. */
  open(id: string, stored: unknown): Referral {
    if (!isSealedRecord(stored)) return stored as Referral;
    if (this.cipher === undefined || !isSealed(stored.sealed)) {
      throw new DataKeyError('the sandbox store is encrypted: set CARALOOM_DATA_KEY or CARALOOM_DATA_KEY_FILE, or put its data.key in the data folder');
    }
    let referral: Referral;
    try {
      referral = JSON.parse(this.cipher.open(referralAad(id), stored.sealed)) as Referral;
    } catch (error) {
      if (error instanceof DataKeyError) throw new DataKeyError(`sandbox store referral ${id}: ${error.message}`);
      throw error;
    }
    if (referral.id !== id) throw new DataKeyError(`sandbox store referral ${id} holds another referral`);
    return referral;
  }

  /** Whether a store read from disk still holds referrals in clear that a key should seal. */
  hasPlain(referrals: Record<string, unknown>): boolean {
    return this.cipher !== undefined && Object.values(referrals).some((stored) => !isSealedRecord(stored));
  }
}
