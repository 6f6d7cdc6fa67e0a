import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataKeyError, loadKeyring, type Keyring } from '../../core/crypto/keys.js';
import { CaraloomError } from '../../core/errors.js';
import { JournalCipher } from '../../core/journal/cipher.js';
import type { Referral, WebhookRegistration } from '../domain.js';
import { DurableFile } from './durable-file.js';
import { plainLine, type RecordLine, stringifyByLine } from './line-json.js';
import { ReferralSealer } from './sealed-referrals.js';

/**
 * The sandbox's JSON store (lowdb): referrals, idempotency records and webhook
 * registrations, in one file a person can read. lowdb rewrites the whole file
 * on every write, so:
 * - writes are coalesced: every caller awaits a write that started after its
 *   change, and changes made during a write share the next one (group commit);
 *   a write is fsynced before it resolves (durable-file.ts), so an answered
 *   referral is on disk;
 * - referrals are frozen when added and each keeps its serialised (sealed)
 *   line between writes, so a write costs one string join, not 1,000
 *   stringifies (the CPU that capped the sandbox at ~200 referrals/s);
 * - referrals are bounded (`maxReferrals`, oldest dropped with their
 *   idempotency records) and written one per line (line-json.ts);
 * - it never holds a queue: webhook deliveries live in the journal;
 * - with a data key, each referral is sealed on disk (sealed-referrals.ts)
 *   and held open in memory; a file from before encryption is sealed at open.
 * API keys live in their own file (see keys.ts) because another process
 * (`caraloom sandbox key`) writes them while the sandbox runs.
 */

export interface IdempotencyRecord {
  keyId: string;
  key: string;
  /** SHA-256 of the canonical request, to tell a replay from a conflicting reuse. */
  fingerprint: string;
  referralId: string;
  createdAt: string;
}

export interface StoreData {
  version: 1;
  /** By id, in creation order (JSON objects keep string-key insertion order). */
  referrals: Record<string, Referral>;
  /** By `${keyId} ${idempotency key}`. */
  idempotency: Record<string, IdempotencyRecord>;
  webhooks: Record<string, WebhookRegistration>;
  /** Referral ids whose webhook events are not yet in the journal (an outbox across two stores). */
  pendingEvents: string[];
}

function emptyData(): StoreData {
  return { version: 1, referrals: {}, idempotency: {}, webhooks: {}, pendingEvents: [] };
}

export interface OpenStoreOptions {
  file: string;
  /** @default 1000 */
  maxReferrals?: number;
  /** Data keys; by default the journal's: CARALOOM_DATA_KEY(_FILE) or `data.key` beside the file (core/crypto/keys.ts). */
  keyring?: Keyring | undefined;
}

/** Referrals opened on read, sealed on write; everything else passes through. */
function codec(sealer: ReferralSealer, seen: { plain: boolean }) {
  // Referrals are frozen (addReferral), so a line made for one object stays right until the data key rotates.
  const lines = new WeakMap<object, { keyId: string | undefined; line: string }>();
  const line: RecordLine = (section, id, record) => {
    if (section !== 'referrals' || !Object.isFrozen(record)) return plainLine(section, id, record);
    const keyId = sealer.cipher?.currentKeyId;
    const kept = lines.get(record as object);
    if (kept !== undefined && kept.keyId === keyId) return kept.line;
    const made = plainLine(section, id, sealer.seal(record as Referral));
    lines.set(record as object, { keyId, line: made });
    return made;
  };
  return {
    parse: (text: string): StoreData => {
      const data = JSON.parse(text) as StoreData;
      const referrals = (data.referrals ?? {}) as Record<string, unknown>;
      seen.plain = sealer.hasPlain(referrals);
      return { ...data, referrals: Object.fromEntries(Object.entries(referrals).map(([id, stored]) => [id, deepFreeze(sealer.open(id, stored))])) };
    },
    stringify: (data: StoreData): string => stringifyByLine(data, line),
  };
}

/** A referral never changes in place once stored (a change is a new object), which is what lets its line be kept. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export class SandboxStore {
  private writing: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private writes = 0;

  private constructor(
    private readonly db: Low<StoreData>,
    private readonly maxReferrals: number,
    readonly file: string,
  ) {}

  static async open(options: OpenStoreOptions): Promise<SandboxStore> {
    await mkdir(path.dirname(options.file), { recursive: true });
    const keyring = options.keyring ?? loadKeyring(path.dirname(options.file));
    const seen = { plain: false };
    const db = new Low<StoreData>(new DurableFile<StoreData>(options.file, codec(new ReferralSealer(keyring === undefined ? undefined : new JournalCipher(keyring)), seen)), emptyData());
    try {
      await db.read();
    } catch (error) {
      if (error instanceof DataKeyError) throw error;
      throw new CaraloomError('SANDBOX_STORE_UNREADABLE', `cannot read sandbox store ${options.file}`, { cause: error });
    }
    db.data = { ...emptyData(), ...db.data };
    const store = new SandboxStore(db, options.maxReferrals ?? 1000, options.file);
    // Upgrade: referrals written in clear before there was a key are sealed now, not at the next change.
    if (seen.plain) await store.commit();
    return store;
  }

  get data(): StoreData {
    return this.db.data;
  }

  /** How many times the file has been written (coalescing makes this far below the number of changes). */
  get writeCount(): number {
    return this.writes;
  }

  /** Resolves once every change made before this call is on disk. */
  commit(): Promise<void> {
    if (this.next !== undefined) return this.next;
    if (this.writing === undefined) return this.startWrite();
    // A write is running and may not hold our change: queue one more after it.
    this.next = this.writing
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.startWrite();
      });
    return this.next;
  }

  private startWrite(): Promise<void> {
    this.writes++;
    const write = this.db
      .write()
      .catch((error: unknown) => {
        throw new CaraloomError('SANDBOX_STORE_UNAVAILABLE', 'sandbox store cannot be written', { status: 503, retryable: true, expose: true, cause: error });
      })
      .finally(() => {
        if (this.writing === write) this.writing = undefined;
      });
    this.writing = write;
    return write;
  }

  /** Add a referral, dropping the oldest beyond the bound (and their idempotency records). */
  addReferral(referral: Referral): void {
    const { referrals, idempotency } = this.db.data;
    referrals[referral.id] = deepFreeze(referral);
    const ids = Object.keys(referrals);
    if (ids.length <= this.maxReferrals) return;
    const dropped = new Set(ids.slice(0, ids.length - this.maxReferrals));
    for (const id of dropped) delete referrals[id];
    for (const [key, record] of Object.entries(idempotency)) if (dropped.has(record.referralId)) delete idempotency[key];
    this.db.data.pendingEvents = this.db.data.pendingEvents.filter((id) => !dropped.has(id));
  }

  async close(): Promise<void> {
    await this.next?.catch(() => undefined);
    await this.writing?.catch(() => undefined);
  }
}
