import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { secretProblem } from '../core/signature.js';

/** The file `caraloom relay register` writes, when config names none. */
export const defaultSecretsFile = (dataDir: string): string => path.join(dataDir, 'relay-secrets');

const header = '# CaraLoom webhook verification secrets: one a line, newest first. Lines starting with # are comments. Keep this file private.';

/**
 * Parse a secrets file: one secret a line, `#` lines and blank lines ignored,
 * nothing else. A line that is not shaped like a secret is an error naming the
 * line: a silent secret is an open door (issue #11: a comma in the header once
 * made `newest first. Keep this file private.` a valid signing key).
 */
export function parseSecretsFile(text: string, file: string): string[] {
  const secrets: string[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const problem = secretProblem(line);
    if (problem === undefined) secrets.push(line);
    else problems.push(`${file}:${index + 1}: ${problem}`);
  });
  if (problems.length > 0) throw new ConfigError(`${file}: not a secrets file (one secret a line, # for comments)`, problems);
  return secrets;
}

/** Parse `CARALOOM_WEBHOOK_SECRET`: comma-separated secrets, each of the same shape as in a file. */
export function parseSecretList(text: string, source: string): string[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const problems = entries.flatMap((entry, index) => {
    const problem = secretProblem(entry);
    return problem === undefined ? [] : [`${source}[${index}]: ${problem}`];
  });
  if (problems.length > 0) throw new ConfigError(`${source}: not a list of secrets`, problems);
  return entries;
}

/** Secrets in a secrets file, newest first; none when the file does not exist. */
export function readSecretsFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return parseSecretsFile(text, file);
}

/**
 * Store a new secret first, keeping up to `keep - 1` older ones so events
 * signed before the rotation still verify. Written to a temporary file with
 * mode 0600 and renamed, so a reader never sees half a file.
 */
export function addSecretToFile(file: string, secret: string, keep = 2): string[] {
  const problem = secretProblem(secret);
  if (problem !== undefined) throw new ConfigError(`refusing to store a webhook secret: ${problem}`);
  const secrets = [secret, ...readSecretsFile(file).filter((entry) => entry !== secret)].slice(0, keep);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${header}\n${secrets.join('\n')}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  return secrets;
}

export interface SecretSources {
  /** `CARALOOM_WEBHOOK_SECRET`: comma-separated; when set it overrides everything else. */
  env?: string | undefined;
  config: readonly string[];
  file: string;
  /** Told when a changed secrets file cannot be read; the previous secrets stay active. */
  onError?: (error: unknown) => void;
}

/** How often the secrets file is looked at, at most. */
const recheckMs = 1_000;

/**
 * The active verification secrets, re-read when the secrets file changes (so
 * `relay register` or a rotation takes effect without a restart, within a second).
 * A bad file at creation throws (a start-up error); a file that turns bad later
 * keeps the secrets that were active and reports through `onError`.
 */
export function createSecretSource(sources: SecretSources, now: () => number = Date.now): () => readonly string[] {
  if (sources.env !== undefined && sources.env.trim() !== '') {
    const fixed = Object.freeze(parseSecretList(sources.env, 'CARALOOM_WEBHOOK_SECRET'));
    return () => fixed;
  }
  const stampOf = (): string => {
    try {
      const stat = statSync(sources.file);
      return `${stat.mtimeMs}:${stat.size}`;
    } catch {
      return 'missing';
    }
  };
  const load = (stamp: string): readonly string[] => Object.freeze([...sources.config, ...(stamp === 'missing' ? [] : readSecretsFile(sources.file))]);
  let stamp = stampOf();
  let current = load(stamp);
  let checkedAt = now();
  return () => {
    // A stat per webhook is cheap but not free; a second's delay on rotation is.
    // An empty list is re-checked every time: the relay is waiting for `relay register`.
    if (now() - checkedAt < recheckMs && current.length > 0) return current;
    checkedAt = now();
    const next = stampOf();
    if (next !== stamp) {
      stamp = next;
      try {
        current = load(next);
      } catch (error) {
        sources.onError?.(error);
      }
    }
    return current;
  };
}
