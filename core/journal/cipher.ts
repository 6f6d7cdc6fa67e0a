import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from '../crypto/keys.js';
import { DataKeyError } from '../crypto/keys.js';

/**
 * Encryption of journal content (payloads, results, attempt answers and
 * errors) with AES-256-GCM. Each value is sealed as
 * `v1:<keyId>:<nonce>:<ciphertext+tag>` (base64url) with a fresh 96-bit
 * nonce, and the row's identity (`item|<id>|<column>`) as associated
 * data, so a ciphertext copied into another row does not open. Metadata used
 * to list and order (ids, status, times, meta) stays plain.
 */
const prefix = 'v1:';

/**
 * Nonces are drawn from a pool refilled 4,096 at a time: one `randomBytes(12)`
 * per value cost a third of a seal (a syscall each), the pool's slices are
 * the same fresh random 96 bits.
 */
const noncePool = { bytes: Buffer.alloc(0), used: 0 };
function freshNonce(): Buffer {
  if (noncePool.used + 12 > noncePool.bytes.length) {
    noncePool.bytes = randomBytes(12 * 4_096);
    noncePool.used = 0;
  }
  noncePool.used += 12;
  return noncePool.bytes.subarray(noncePool.used - 12, noncePool.used);
}

export class JournalCipher {
  constructor(public keyring: Keyring) {}

  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  seal(aad: string, plain: string): string {
    const { id, key } = this.keyring.current;
    const nonce = freshNonce();
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${prefix}${id}:${nonce.toString('base64url')}:${body.toString('base64url')}`;
  }

  /**
   * Plain text (a row written before encryption, not migrated yet) is
   * returned as it is: legacy JSON never starts with `v1:`. A sealed value
   * that does not authenticate throws: never garbage.
   */
  open(aad: string, stored: string): string {
    if (!isSealed(stored)) return stored;
    const [, keyId, nonce, body] = stored.split(':') as [string, string, string, string];
    // A key added by `caraloom keys rotate` while this service runs: read the key file again, once.
    if (!this.keyring.byId.has(keyId) && this.keyring.reload !== undefined) this.keyring = this.keyring.reload();
    const key = this.keyring.byId.get(keyId);
    if (key === undefined) throw new DataKeyError(`journal content is encrypted with key ${keyId}, which the keyring does not hold`);
    const bytes = Buffer.from(body, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new DataKeyError(`journal content (${aad.split('|').slice(0, 2).join(' #')}) does not authenticate: wrong key, or the row was altered or moved`);
    }
  }
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(prefix);
}

/** Whether a stored value is sealed with the given key (rotation skips those). */
export function sealedWith(stored: string, keyId: string): boolean {
  return stored.startsWith(`${prefix}${keyId}:`);
}

/** Associated data binding a value to its row. */
/** Ids are unique across queues (one table), so the id alone names the row. */
export const itemAad = (id: number | string, column: 'payload' | 'result'): string => `item|${id}|${column}`;
export const attemptAad = (itemId: number | string, at: number | string, column: 'error' | 'response'): string => `attempt|${itemId}|${at}|${column}`;

/** The sentinel sealed at first encrypted open: a wrong key fails on it at start, before any message. */
export const keyCheckAad = 'journal|key check';
export const keyCheckText = 'caraloom journal key check';

/** Stored JSON worth sealing: pruned content (`'null'`) and absent values stay as they are. */
export function sealJson(cipher: JournalCipher | undefined, aad: string, json: string): string {
  return cipher === undefined || json === 'null' ? json : cipher.seal(aad, json);
}

export function sealText(cipher: JournalCipher | undefined, aad: string, text: string | null): string | null {
  return cipher === undefined || text === null ? text : cipher.seal(aad, text);
}

/** A stored row with its content opened, for rowToItem. */
export function openItemRow<R extends { id: number | string; payload: unknown; result: unknown }>(cipher: JournalCipher | undefined, row: R): R {
  if (cipher === undefined) return row;
  const payload = typeof row.payload === 'string' ? cipher.open(itemAad(row.id, 'payload'), row.payload) : row.payload;
  const result = typeof row.result === 'string' ? cipher.open(itemAad(row.id, 'result'), row.result) : row.result;
  return { ...row, payload, result };
}

export function openAttemptRow<R extends { item_id?: number | string; at: number | string; error: string | null; response: string | null }>(cipher: JournalCipher | undefined, row: R, itemId: number | string): R {
  if (cipher === undefined) return row;
  return {
    ...row,
    error: row.error === null ? null : cipher.open(attemptAad(itemId, row.at, 'error'), row.error),
    response: row.response === null ? null : cipher.open(attemptAad(itemId, row.at, 'response'), row.response),
  };
}
