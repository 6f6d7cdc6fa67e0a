import path from 'node:path';
import type { Clock } from '../clock.js';
import type { StoreConfig } from '../config/store.js';
import { loadKeyring, type Keyring } from '../crypto/keys.js';
import { SqliteJournal } from './sqlite.js';
import type { Journal } from './types.js';

export interface OpenJournalOptions {
  store: StoreConfig;
  /** Folder for embedded files (SQLite) and, on either store, the default `data.key`. */
  dataDir: string;
  /** `connector`, `relay`, `sandbox`: the SQLite file name. */
  name: string;
  clock?: Clock;
  /** Data keys; by default from CARALOOM_DATA_KEY(_FILE) or `data.key` in dataDir (core/crypto/keys.ts). */
  keyring?: Keyring | undefined;
}

/** The one place that turns store config into a Journal. */
export async function openJournal(options: OpenJournalOptions): Promise<Journal> {
  const keyring = options.keyring ?? loadKeyring(options.dataDir);
  if (options.store.kind === 'sqlite') {
    return new SqliteJournal({ file: path.join(options.dataDir, `${options.name}.db`), clock: options.clock, synchronous: options.store.synchronous, keyring });
  }
  const { openPostgresJournal } = await import('./postgres.js');
  return openPostgresJournal({ ...options.store, clock: options.clock, keyring });
}
