import { createHash } from 'node:crypto';

/**
 * The audit trail's hash chain (issue #13 §5): each entry carries the
 * SHA-256 of the entry before it, so editing, deleting or inserting a row
 * anywhere breaks every hash after it. Pure: no I/O, no clock.
 */

/** What was done. `viewed` is a view of message content; the rest are actions. */
export const auditActions = ['viewed', 'replayed', 'cancelled', 'paused', 'resumed', 'pruned', 'rotated-key', 'mappings-loaded', 'mappings-reloaded', 'reload-refused'] as const;
export type AuditAction = (typeof auditActions)[number];

export type AuditDetail = Record<string, string | number | boolean | null>;

export interface AuditInput {
  /** Token name, console user, or `os:<user>` for the CLI. */
  actor: string;
  action: AuditAction;
  /** What it was done to: `connector.message/42`, `relay.event/evt_1`, `relay.subscriber/ehr`. */
  subject?: string | null | undefined;
  /** Remote address of the request; null for the CLI and the services themselves. */
  remote?: string | null | undefined;
  /** Small PHI-free facts: counts, file hashes, a key id. */
  detail?: AuditDetail | undefined;
}

export interface AuditEntry {
  /** 1, 2, 3…: position in the chain. */
  seq: number;
  /** Epoch ms. */
  at: number;
  actor: string;
  action: AuditAction;
  subject: string | null;
  remote: string | null;
  detail: AuditDetail;
  prevHash: string;
  hash: string;
}

/** The `prevHash` of entry 1. */
export const genesisHash = '0'.repeat(64);

const sortedDetail = (detail: AuditDetail): AuditDetail => Object.fromEntries(Object.entries(detail).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** SHA-256 (hex) over a fixed-order JSON array of every field but the hash itself. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const canonical = JSON.stringify([entry.seq, entry.at, entry.actor, entry.action, entry.subject, entry.remote, sortedDetail(entry.detail), entry.prevHash]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** The next entry after `previous` (undefined: the first). */
export function nextEntry(previous: Pick<AuditEntry, 'seq' | 'hash'> | undefined, input: AuditInput, at: number): AuditEntry {
  const body = {
    seq: (previous?.seq ?? 0) + 1,
    at,
    actor: input.actor,
    action: input.action,
    subject: input.subject ?? null,
    remote: input.remote ?? null,
    detail: input.detail ?? {},
    prevHash: previous?.hash ?? genesisHash,
  };
  return { ...body, hash: entryHash(body) };
}

export type ChainBreak = { seq: number; reason: string };

/** Checks one entry against its predecessor; undefined when it fits. */
export function checkLink(previous: Pick<AuditEntry, 'seq' | 'hash'> | undefined, entry: AuditEntry): ChainBreak | undefined {
  const expectedSeq = (previous?.seq ?? 0) + 1;
  if (entry.seq !== expectedSeq) return { seq: entry.seq, reason: `expected entry ${expectedSeq} here (an entry was removed or inserted)` };
  if (entry.prevHash !== (previous?.hash ?? genesisHash)) return { seq: entry.seq, reason: 'previous-hash does not match the entry before it' };
  if (entryHash(entry) !== entry.hash) return { seq: entry.seq, reason: 'hash does not match the entry\'s content (the row was edited)' };
  return undefined;
}
