import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CaraloomError } from '../errors.js';
import { privateFileMode } from '../fs-modes.js';

/**
 * Data keys for encryption at rest (issue #13 §2). They come from the
 * environment or a 0600 file, never from the YAML: the YAML is copied into
 * tickets and repositories, the key must not be. A keyring holds every key
 * still needed to read old rows; the newest one encrypts.
 */
export interface DataKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** Encrypts every new record. */
  current: DataKey;
  byId: ReadonlyMap<string, DataKey>;
  /** Reads the keys again from where they came from (a key file): a running service picks up a key `keys rotate` added. */
  reload?: () => Keyring;
}

/** Default key file inside the data folder, made by `caraloom up` and `caraloom keys create`. */
export const defaultKeyFileName = 'data.key';

export class DataKeyError extends CaraloomError {
  constructor(message: string) {
    super('DATA_KEY', message, { expose: true });
    this.name = 'DataKeyError';
  }
}

/** `<id> <base64 32 bytes>` per line (or `<id>:<base64>` separated by commas in the env); the last is the newest. */
export function parseKeys(text: string, source: string): Keyring {
  const keys: DataKey[] = [];
  for (const entry of text.split(/[\n,]/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'))) {
    const match = /^([A-Za-z0-9_-]{1,32})[ :]+([A-Za-z0-9+/=_-]+)$/.exec(entry);
    const key = match === null ? undefined : Buffer.from(match[2]!, 'base64');
    if (match === null || key === undefined || key.length !== 32) throw new DataKeyError(`${source}: each key must be "<id> <base64 of 32 bytes>"`);
    keys.push({ id: match[1]!, key });
  }
  if (keys.length === 0) throw new DataKeyError(`${source}: holds no key`);
  return { current: keys.at(-1)!, byId: new Map(keys.map((key) => [key.id, key])) };
}

export function readKeyFile(file: string): Keyring {
  return { ...readKeyFileOnce(file), reload: () => readKeyFile(file) };
}

function readKeyFileOnce(file: string): Keyring {
  if (!existsSync(file)) throw new DataKeyError(`data key file ${file} does not exist`);
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new DataKeyError(`data key file ${file} is readable by other users (mode 0${mode.toString(8)}); make it 0600`);
  return parseKeys(readFileSync(file, 'utf8'), file);
}

/**
 * The keyring a service uses: `CARALOOM_DATA_KEY` (keys inline), else
 * `CARALOOM_DATA_KEY_FILE`, else `data.key` in the data folder if present.
 * Undefined when none is set: a journal that was never encrypted stays
 * readable, one that was is refused (see cipher.ts key check).
 */
export function loadKeyring(dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env): Keyring | undefined {
  if (env.CARALOOM_DATA_KEY !== undefined && env.CARALOOM_DATA_KEY !== '') return parseKeys(env.CARALOOM_DATA_KEY, 'CARALOOM_DATA_KEY');
  if (env.CARALOOM_DATA_KEY_FILE !== undefined && env.CARALOOM_DATA_KEY_FILE !== '') return readKeyFile(path.resolve(env.CARALOOM_DATA_KEY_FILE));
  const file = dataDir === undefined ? undefined : path.join(dataDir, defaultKeyFileName);
  return file !== undefined && existsSync(file) ? readKeyFile(file) : undefined;
}

export function newKeyLine(): { id: string; line: string } {
  const id = `k${randomBytes(4).toString('hex')}`;
  return { id, line: `${id} ${randomBytes(32).toString('base64')}\n` };
}

/** Appends a new key (which becomes the current one); creates the file 0600 if needed. */
export function addKey(file: string): string {
  if (existsSync(file)) readKeyFile(file); // refuses an open or malformed file before adding to it
  const { id, line } = newKeyLine();
  appendFileSync(file, line, { mode: privateFileMode });
  return id;
}

/** `caraloom up`: a key on first run so the default install is encrypted. */
export function ensureKeyFile(dataDir: string): { file: string; created: boolean } {
  const file = path.join(dataDir, defaultKeyFileName);
  if (existsSync(file)) return { file, created: false };
  addKey(file);
  return { file, created: true };
}
