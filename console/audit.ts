import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import type { Clock } from '../core/clock.js';

/**
 * The console's own audit trail: one JSON line per action and per view of
 * message content, appended (never rewritten) to a 0600 file. Each line holds
 * the SHA-256 of the line before it, so a removed or edited line breaks the
 * chain (`verifyAudit`). Entries carry ids and names, never content.
 */
export interface AuditEntry {
  at: string;
  user: string;
  role: string;
  /** `login`, `login-failed`, `logout`, `view-content`, `dry-run`, `replay`, `replay-dead`, `replay-selected`, `cancel`, `pause`, `resume`, `replay-event`, `replay-delivery`. */
  action: string;
  /** `connector:main#42`, `relay:edge/subscriber:ehr`. */
  target: string;
  outcome: 'ok' | 'refused' | 'failed';
  detail?: string | undefined;
  prev: string;
}

export interface AuditLog {
  record(entry: Omit<AuditEntry, 'at' | 'prev'>): void;
  /** Newest first. */
  read(filter?: { user?: string | undefined; action?: string | undefined; limit?: number | undefined }): AuditEntry[];
}

const digest = (line: string) => createHash('sha256').update(line).digest('hex');

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') : [];
}

export function createAuditLog(file: string, clock: Clock): AuditLog {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  let last = lines(file).at(-1);
  return {
    record(entry) {
      const line = JSON.stringify({ at: new Date(clock.now()).toISOString(), ...entry, prev: last === undefined ? '' : digest(last) });
      // Synchronous on purpose: the action's answer is not sent before its audit line is written.
      appendFileSync(file, `${line}\n`, { mode: 0o600 });
      last = line;
    },
    read(filter = {}) {
      const entries = lines(file).map((line) => JSON.parse(line) as AuditEntry).reverse();
      const matching = entries.filter((entry) => (filter.user === undefined || entry.user === filter.user) && (filter.action === undefined || entry.action === filter.action));
      return matching.slice(0, filter.limit ?? 200);
    },
  };
}

/** The first line number (1-based) whose `prev` does not match the line before it, or undefined when the chain is whole. */
export function verifyAudit(file: string): number | undefined {
  const all = lines(file);
  for (let index = 0; index < all.length; index += 1) {
    const prev = (JSON.parse(all[index]!) as AuditEntry).prev;
    if (prev !== (index === 0 ? '' : digest(all[index - 1]!))) return index + 1;
  }
  return undefined;
}
