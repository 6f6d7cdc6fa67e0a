import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataKeyError, loadKeyring, type Keyring } from '../../core/crypto/keys.js';
import { CaraloomError } from '../../core/errors.js';
import { JournalCipher } from '../../core/journal/cipher.js';
import type { Referral, WebhookRegistration } from '../domain.js';
import { ChangeLog } from './change-log.js';
import { DurableFile } from './durable-file.js';
import { plainLine, type RecordLine, stringifyByLine } from './line-json.js';
import { ReferralSealer } from './sealed-referrals.js';

/**
 * The sandbox's JSON store (lowdb): referrals, idempotency records and webhook
 * registrations, in one file a person can read. Rewriting that file costs
 * about 2 MB and two fsyncs at 1,000 referrals, too much per request, so:
 * - `save()` makes every change so far durable by appending it to the change
 *   log beside the file (change-log.ts): one small line and one fdatasync per
 *   coalesced batch (changes made during an append share the next one); an
 *   answered referral is on disk, and a fresh open replays the log;
 * - `commit()` rewrites `sandbox.json` itself (temp file fsynced, renamed,
 *   folder fsynced: durable-file.ts), then drops the log it holds. The store
 *   checkpoints on its own `checkpointMs` after a save, when the log grows
 *   large, and at close, so the file is never more than a moment behind;
 * - referrals are frozen when added and each keeps its serialised (sealed)
 *   line between writes, so a checkpoint costs one string join, not 1,000
 *   stringifies, and a log line reuses the same text; records of the other
 *   sections are replaced, never changed in place (the log compares them by
 *   identity);
 * - referrals are bounded (`maxReferrals`, oldest dropped with their
 *   idempotency records) and written one per line (line-json.ts);
 * - it never holds a queue: webhook deliveries live in the journal;
 * - with a data key, each referral is sealed on disk, in the file and in the
 *   log (sealed-referrals.ts), and held open in memory; a file from before
 *   encryption is sealed at open.
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
  /** Rewrite the file this long after a save (the log holds the change meanwhile). @default 1000 */
  checkpointMs?: number;
  /** A checkpoint nobody waits for (timer, large log) failed; the log still holds its changes and the next one tries again. */
  onCheckpointError?: (error: unknown) => void;
}

/** A log this large is folded into the file at once rather than at the timer. */
const checkpointBytes = 8 * 1024 * 1024;

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
  /** A record as read from the file or the log: referrals opened (or refused) and frozen. */
  const openRecord = (section: string, id: string, stored: unknown): unknown => {
    if (section !== 'referrals') return stored;
    if (sealer.hasPlain({ [id]: stored })) seen.plain = true;
    return deepFreeze(sealer.open(id, stored));
  };
  return {
    line,
    openRecord,
    parse: (text: string): StoreData => {
      const data = JSON.parse(text) as StoreData;
      const referrals = (data.referrals ?? {}) as Record<string, unknown>;
      seen.plain = sealer.hasPlain(referrals);
      return { ...data, referrals: Object.fromEntries(Object.entries(referrals).map(([id, stored]) => [id, deepFreeze(sealer.open(id, stored))])) };
    },
    stringify: (data: StoreData): string => stringifyByLine(data, line),
  };
}

type Codec = ReturnType<typeof codec>;

const isSection = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** One log line: whole records set or deleted per section, whole values put for the rest. */
interface LogEntry {
  set?: Record<string, Record<string, unknown>>;
  del?: Record<string, string[]>;
  put?: Record<string, unknown>;
}

/**
 * What the log already holds, to log only what changed: records by identity
 * per section, other values as JSON. It follows the log alone, never a
 * checkpoint (a checkpoint may still fail, or be under way while a save
 * answers); a checkpoint instead marks what its file may hold differently
 * from the log (`suspect`), and the next line sets or deletes those again.
 */
class Logged {
  readonly #sections = new Map<string, Map<string, unknown>>();
  readonly #values = new Map<string, string>();
  readonly #suspect = new Map<string, Set<string>>();
  readonly #suspectValues = new Set<string>();

  constructor(data: StoreData) {
    for (const [key, value] of Object.entries(data)) {
      if (isSection(value)) this.#sections.set(key, new Map(Object.entries(value)));
      else this.#values.set(key, JSON.stringify(value));
    }
  }

  /** A checkpoint is writing `data` as it is now: what differs from the log must be logged again after it. */
  snapshot(data: StoreData): void {
    for (const [key, value] of Object.entries(data)) {
      if (!isSection(value)) {
        if (this.#values.get(key) !== JSON.stringify(value)) this.#suspectValues.add(key);
        continue;
      }
      const logged = this.#sections.get(key);
      const suspect = this.#suspect.get(key) ?? new Set<string>();
      for (const id in value) if (logged?.get(id) !== value[id]) suspect.add(id);
      // Logged but not in the file: it is gone from disk once the older log is deleted.
      for (const id of logged?.keys() ?? []) if (!Object.hasOwn(value, id)) suspect.add(id);
      if (suspect.size > 0) this.#suspect.set(key, suspect);
    }
  }

  /** The log line for what changed since the last call (and counts it as logged), or undefined when nothing did. */
  take(data: StoreData, line: RecordLine): string | undefined {
    const sets: string[] = [];
    const dels: string[] = [];
    const puts: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      if (!isSection(value)) {
        const text = JSON.stringify(value);
        if (this.#values.get(key) !== text || this.#suspectValues.has(key)) {
          this.#values.set(key, text);
          puts.push(`${JSON.stringify(key)}:${text}`);
        }
        continue;
      }
      let logged = this.#sections.get(key);
      if (logged === undefined) {
        logged = new Map();
        this.#sections.set(key, logged);
      }
      const suspect = this.#suspect.get(key);
      const changed: string[] = [];
      let count = 0;
      for (const id in value) {
        count++;
        const record = value[id];
        if (logged.get(id) === record && suspect?.has(id) !== true) continue;
        logged.set(id, record);
        changed.push(line(key, id, record));
      }
      if (changed.length > 0) sets.push(`${JSON.stringify(key)}:{${changed.join(',')}}`);
      // Something was deleted when the log knows more ids than there are (or as many, with some new), or a checkpoint wrote one since deleted.
      if (logged.size > count || changed.length > 0 || suspect !== undefined) {
        const gone = new Set<string>();
        for (const id of logged.keys()) if (!Object.hasOwn(value, id)) gone.add(id);
        for (const id of suspect ?? []) if (!Object.hasOwn(value, id)) gone.add(id);
        for (const id of gone) logged.delete(id);
        if (gone.size > 0) dels.push(`${JSON.stringify(key)}:${JSON.stringify([...gone])}`);
      }
    }
    for (const [key, logged] of this.#sections) {
      if (Object.hasOwn(data, key)) continue;
      const gone = new Set([...logged.keys(), ...(this.#suspect.get(key) ?? [])]);
      logged.clear();
      if (gone.size > 0) dels.push(`${JSON.stringify(key)}:${JSON.stringify([...gone])}`);
    }
    this.#suspect.clear();
    this.#suspectValues.clear();
    const parts = [sets.length > 0 ? `"set":{${sets.join(',')}}` : '', dels.length > 0 ? `"del":{${dels.join(',')}}` : '', puts.length > 0 ? `"put":{${puts.join(',')}}` : ''].filter((part) => part !== '');
    return parts.length === 0 ? undefined : `{${parts.join(',')}}`;
  }
}

/** Apply one log line to data read from the file. */
function replay(data: StoreData, text: string, codec: Codec): void {
  const entry = JSON.parse(text) as LogEntry;
  const target = data as unknown as Record<string, unknown>;
  for (const [key, records] of Object.entries(entry.set ?? {})) {
    const section = isSection(target[key]) ? (target[key] as Record<string, unknown>) : {};
    target[key] = section;
    for (const [id, stored] of Object.entries(records)) section[id] = codec.openRecord(key, id, stored);
  }
  for (const [key, ids] of Object.entries(entry.del ?? {})) {
    const section = target[key];
    if (isSection(section)) for (const id of ids) delete section[id];
  }
  for (const [key, value] of Object.entries(entry.put ?? {})) target[key] = value;
}

/** Runs `work` so that each caller waits for a run that started after its call; calls during a run share the next one. */
class Coalesced {
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  constructor(private readonly work: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.#next !== undefined) return this.#next;
    if (this.#running === undefined) return this.#start();
    this.#next = this.#running
      .catch(() => undefined)
      .then(() => {
        this.#next = undefined;
        return this.#start();
      });
    return this.#next;
  }

  /** Resolves when the runs started or queued by now have ended. */
  async idle(): Promise<void> {
    await this.#next?.catch(() => undefined);
    await this.#running?.catch(() => undefined);
  }

  #start(): Promise<void> {
    const running = this.work().finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }
}

/** A referral never changes in place once stored (a change is a new object), which is what lets its line be kept. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const unavailable = (error: unknown) => new CaraloomError('SANDBOX_STORE_UNAVAILABLE', 'sandbox store cannot be written', { status: 503, retryable: true, expose: true, cause: error });

export class SandboxStore {
  readonly #saves = new Coalesced(() => this.#append());
  readonly #checkpoints = new Coalesced(() => this.#checkpoint());
  readonly #logged: Logged;
  #writes = 0;
  /** Referral ids, oldest first from `#head` (only addReferral adds or drops referrals). */
  #order: string[];
  #head = 0;
  /** Idempotency slots per referral id, to drop them with it (records are added through `remember`). */
  readonly #slots = new Map<string, string[]>();
  #timer: NodeJS.Timeout | undefined;
  /** A failed append may have left the log behind memory: the next save rewrites the file instead. */
  #mustCheckpoint = false;
  #closed = false;

  private constructor(
    private readonly db: Low<StoreData>,
    private readonly adapter: DurableFile<StoreData>,
    private readonly codec: Codec,
    private readonly log: ChangeLog,
    private readonly maxReferrals: number,
    private readonly checkpointMs: number,
    private readonly onCheckpointError: (error: unknown) => void,
    readonly file: string,
  ) {
    this.#logged = new Logged(db.data);
    this.#order = Object.keys(db.data.referrals);
    for (const [slot, record] of Object.entries(db.data.idempotency)) this.#slotOf(record.referralId).push(slot);
  }

  static async open(options: OpenStoreOptions): Promise<SandboxStore> {
    await mkdir(path.dirname(options.file), { recursive: true });
    const keyring = options.keyring ?? loadKeyring(path.dirname(options.file));
    const seen = { plain: false };
    const fileCodec = codec(new ReferralSealer(keyring === undefined ? undefined : new JournalCipher(keyring)), seen);
    const adapter = new DurableFile<StoreData>(options.file, fileCodec);
    const db = new Low<StoreData>(adapter, emptyData());
    let log: ChangeLog;
    try {
      await db.read();
      db.data = { ...emptyData(), ...db.data };
      const opened = await ChangeLog.open(options.file);
      log = opened.log;
      for (const line of opened.lines) replay(db.data, line, fileCodec);
    } catch (error) {
      if (error instanceof DataKeyError) throw error;
      throw new CaraloomError('SANDBOX_STORE_UNREADABLE', `cannot read sandbox store ${options.file}`, { cause: error });
    }
    const store = new SandboxStore(db, adapter, fileCodec, log, options.maxReferrals ?? 1000, options.checkpointMs ?? 1000, options.onCheckpointError ?? (() => undefined), options.file);
    // Upgrade: referrals written in clear before there was a key are sealed now, not at the next change.
    if (seen.plain) await store.commit();
    return store;
  }

  get data(): StoreData {
    return this.db.data;
  }

  /** How many times the file was rewritten or the log appended to (coalescing keeps this far below the number of changes). */
  get writeCount(): number {
    return this.#writes;
  }

  /** Resolves once every change made before this call is durable (in the log or the file). */
  save(): Promise<void> {
    return this.#saves.run();
  }

  /** Resolves once every change made before this call is in `sandbox.json` itself, durably. */
  commit(): Promise<void> {
    return this.#checkpoints.run();
  }

  /** Changes that may wait (losing them to a crash is harmless): written with the next save or checkpoint. */
  saveLater(): void {
    this.#schedule();
  }

  async #append(): Promise<void> {
    if (this.#mustCheckpoint) return this.commit();
    const line = this.#logged.take(this.db.data, this.codec.line);
    if (line === undefined) return;
    this.#writes++;
    try {
      await this.log.append(line);
    } catch (error) {
      this.#mustCheckpoint = true;
      throw unavailable(error);
    }
    if (this.log.bytes >= checkpointBytes) this.commit().catch(this.onCheckpointError);
    else this.#schedule();
  }

  async #checkpoint(): Promise<void> {
    this.#writes++;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    // The snapshot and the new generation begin together: everything logged so far is in one or the other.
    const mustCheckpoint = this.#mustCheckpoint;
    this.#mustCheckpoint = false;
    const ended = this.log.rotate();
    this.#logged.snapshot(this.db.data);
    try {
      await this.adapter.write(this.db.data);
    } catch (error) {
      this.#mustCheckpoint ||= mustCheckpoint;
      throw unavailable(error);
    }
    await this.log.remove(ended);
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.commit().catch(this.onCheckpointError);
    }, this.checkpointMs);
    this.#timer.unref();
  }

  /** Add a referral, dropping the oldest beyond the bound (and their idempotency records). */
  addReferral(referral: Referral): void {
    const { referrals, idempotency } = this.db.data;
    if (!Object.hasOwn(referrals, referral.id)) this.#order.push(referral.id);
    referrals[referral.id] = deepFreeze(referral);
    if (this.#order.length - this.#head <= this.maxReferrals) return;
    const dropped = new Set<string>();
    while (this.#order.length - this.#head > this.maxReferrals) {
      const id = this.#order[this.#head++]!;
      dropped.add(id);
      delete referrals[id];
      for (const slot of this.#slots.get(id) ?? []) if (idempotency[slot]?.referralId === id) delete idempotency[slot];
      this.#slots.delete(id);
    }
    if (this.#head > 4096) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
    if (this.db.data.pendingEvents.some((id) => dropped.has(id))) this.db.data.pendingEvents = this.db.data.pendingEvents.filter((id) => !dropped.has(id));
  }

  /** Record an Idempotency-Key's answer under `slot`; dropped with its referral. */
  remember(slot: string, record: IdempotencyRecord): void {
    this.db.data.idempotency[slot] = record;
    this.#slotOf(record.referralId).push(slot);
  }

  #slotOf(referralId: string): string[] {
    let slots = this.#slots.get(referralId);
    if (slots === undefined) {
      slots = [];
      this.#slots.set(referralId, slots);
    }
    return slots;
  }

  /** Finish the writes under way and fold the log into the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#saves.idle();
    await this.#checkpoints.idle();
    await this.commit().catch(() => undefined);
    await this.log.close();
  }
}
