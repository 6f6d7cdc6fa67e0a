import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The file `caraloom relay register` writes, when config names none. */
export const defaultSecretsFile = (dataDir: string): string => path.join(dataDir, 'relay-secrets');

const splitList = (text: string): string[] =>
  text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'));

/** Secrets in a secrets file, newest first; none when the file does not exist. */
export function readSecretsFile(file: string): string[] {
  try {
    return splitList(readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Store a new secret first, keeping up to `keep - 1` older ones so events
 * signed before the rotation still verify. Written to a temporary file with
 * mode 0600 and renamed, so a reader never sees half a file.
 */
export function addSecretToFile(file: string, secret: string, keep = 2): string[] {
  const secrets = [secret, ...readSecretsFile(file).filter((entry) => entry !== secret)].slice(0, keep);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `# CaraLoom webhook verification secrets, newest first. Keep this file private.\n${secrets.join('\n')}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  return secrets;
}

export interface SecretSources {
  /** `CARALOOM_WEBHOOK_SECRET`: comma-separated; when set it overrides everything else. */
  env?: string | undefined;
  config: readonly string[];
  file: string;
}

/** How often the secrets file is looked at, at most. */
const recheckMs = 1_000;

/**
 * The active verification secrets, re-read when the secrets file changes (so
 * `relay register` or a rotation takes effect without a restart, within a second).
 */
export function createSecretSource(sources: SecretSources, now: () => number = Date.now): () => readonly string[] {
  if (sources.env !== undefined && sources.env.trim() !== '') {
    const fixed = Object.freeze(splitList(sources.env));
    return () => fixed;
  }
  let stamp = '';
  let checkedAt = -Infinity;
  let current: readonly string[] = [...sources.config];
  return () => {
    // A stat per webhook is cheap but not free; a second's delay on rotation is.
    // An empty list is re-checked every time: the relay is waiting for `relay register`.
    if (now() - checkedAt < recheckMs && current.length > 0) return current;
    checkedAt = now();
    let next = '';
    try {
      const stat = statSync(sources.file);
      next = `${stat.mtimeMs}:${stat.size}`;
    } catch {
      next = 'missing';
    }
    if (next !== stamp) {
      stamp = next;
      current = Object.freeze([...sources.config, ...(next === 'missing' ? [] : readSecretsFile(sources.file))]);
    }
    return current;
  };
}
