/**
 * The per-install secret behind every pseudonym and per-patient order key.
 * An unkeyed hash of an MRN can be reversed by hashing every MRN in a
 * hospital's range (a few million tries); an HMAC under a secret that never
 * leaves the install cannot. Created on first start with 32 random bytes,
 * mode 0600, and kept: changing it changes every pseudonym and order key.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../core/errors.js';

/** `<data>/pseudonym.key`. A `.key` file, so `caraloom backup` leaves it out like the data key. */
export function defaultPseudonymKeyFile(dataDir: string): string {
  return path.join(dataDir, 'pseudonym.key');
}

const KEY_BYTES = 32;

/**
 * For callers with no install (dry runs, unit tests): random per process, so
 * what they compute is never an unkeyed hash; it changes at every start, so
 * services always load the install's key instead.
 */
export const ephemeralPseudonymKey: Buffer = randomBytes(KEY_BYTES);

/**
 * Read the key file, creating it first if it does not exist. Creation is
 * exclusive (`wx`), so two instances starting at once both end up with the
 * one that was written first.
 */
export async function loadPseudonymKey(file: string): Promise<Buffer> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(`${randomBytes(KEY_BYTES).toString('hex')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`cannot create the pseudonym key ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, undefined, error);
  }
  // A copy made with default permissions is put back to owner-only.
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  const text = (await readFile(file, 'utf8')).trim();
  if (!/^[0-9a-f]{64}$/.test(text)) throw new ConfigError(`${file} is not a pseudonym key (64 hex characters); restore the original, or delete it to start new pseudonyms and order keys`);
  return Buffer.from(text, 'hex');
}
