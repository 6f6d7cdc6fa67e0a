import { createHash, randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { ApiKeyRecord } from '../domain.js';

/**
 * Sandbox API keys: `clk_sandbox_` + 32 random base-62 characters, stored
 * only as SHA-256 in `sandbox-keys.json`. That file is separate from the main
 * store because `caraloom sandbox key` (another process) adds keys while the
 * sandbox runs; the sandbox never writes it and re-reads it when it sees a
 * key it does not know.
 */

export const keyPrefix = 'clk_sandbox_';
export const keyPattern = /^clk_sandbox_[A-Za-z0-9]{24,128}$/;
export const keysFileName = 'sandbox-keys.json';

interface KeysData {
  keys: ApiKeyRecord[];
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: rejecting larger bytes keeps every character equally likely.
      if (byte < 248 && out.length < length) out += alphabet[byte % 62];
    }
  }
  return out;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The id stored on referrals and logged: derived from the hash, never the key. */
export function keyIdOf(hash: string): string {
  return `key_${hash.slice(0, 16)}`;
}

export interface IssuedKey {
  /** The key itself: shown once, never stored. */
  key: string;
  record: ApiKeyRecord;
}

/**
 * Issue a new key into `dataDir` and return it. Safe to call while a sandbox
 * on the same folder is running (it re-reads the file on an unknown key).
 */
export async function issueKey(dataDir: string, email?: string, now: number = Date.now()): Promise<IssuedKey> {
  await mkdir(dataDir, { recursive: true });
  const db = new Low<KeysData>(new JSONFile<KeysData>(path.join(dataDir, keysFileName)), { keys: [] });
  await db.read();
  const key = `${keyPrefix}${randomBase62(32)}`;
  const hash = hashKey(key);
  const record: ApiKeyRecord = { id: keyIdOf(hash), hash, hint: key.slice(-4), email, createdAt: new Date(now).toISOString() };
  db.data.keys.push(record);
  await db.write();
  return { key, record };
}

/** The running sandbox's view of the keys file. */
export class KeyRing {
  private byHash = new Map<string, ApiKeyRecord>();
  private loadedVersion = '';
  private reloading: Promise<void> | undefined;

  constructor(private readonly file: string) {}

  static async open(dataDir: string): Promise<KeyRing> {
    const ring = new KeyRing(path.join(dataDir, keysFileName));
    await ring.reload();
    return ring;
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The record for a well-formed key, or undefined. Re-reads the file only when it changed. */
  async find(key: string): Promise<ApiKeyRecord | undefined> {
    const hash = hashKey(key);
    const known = this.byHash.get(hash);
    if (known !== undefined) return known;
    await this.reload();
    return this.byHash.get(hash);
  }

  private reload(): Promise<void> {
    // One read at a time: a burst of unknown keys shares it.
    this.reloading ??= this.read().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async read(): Promise<void> {
    // mtime and size together: a key added within the same clock tick still changes the size.
    const version = await stat(this.file).then((info) => `${info.mtimeMs}:${info.size}`, () => 'absent');
    if (version === this.loadedVersion) return;
    const db = new Low<KeysData>(new JSONFile<KeysData>(this.file), { keys: [] });
    await db.read();
    this.byHash = new Map((db.data.keys ?? []).map((record) => [record.hash, record] as const));
    this.loadedVersion = version;
  }
}
