import { checkLink, type AuditAction, type AuditEntry, type AuditInput, type ChainBreak } from './chain.js';

/** The journal's audit table: append-only, one chain per journal. */
export interface AuditLog {
  /**
   * Appends one entry and resolves once it is committed; rejects when it
   * cannot be written (callers then refuse what they were about to show).
   * Concurrent writers are serialised, so the chain never forks.
   */
  append(input: AuditInput): Promise<AuditEntry>;
  /** Entries in chain order from `afterSeq` (exclusive), or newest first with `order: 'desc'`. */
  list(options?: AuditListOptions): Promise<AuditEntry[]>;
}

export interface AuditListOptions {
  afterSeq?: number | undefined;
  since?: number | undefined;
  until?: number | undefined;
  action?: AuditAction | undefined;
  /** @default 'asc' */
  order?: 'asc' | 'desc' | undefined;
  /** @default 100 */
  limit?: number | undefined;
}

export type VerifyResult = { ok: true; entries: number } | ({ ok: false; entries: number } & ChainBreak);

/** Walks the whole chain in pages; the first broken link ends it. */
export async function verifyAudit(log: AuditLog, pageSize = 1_000): Promise<VerifyResult> {
  let previous: AuditEntry | undefined;
  let entries = 0;
  for (;;) {
    const page = await log.list({ afterSeq: previous?.seq ?? 0, limit: pageSize });
    for (const entry of page) {
      const broken = checkLink(previous, entry);
      if (broken !== undefined) return { ok: false, entries, ...broken };
      previous = entry;
      entries += 1;
    }
    if (page.length < pageSize) return { ok: true, entries };
  }
}

/** A row of either store (PostgreSQL bigints arrive as strings). */
export interface AuditRow {
  seq: number | string;
  at: number | string;
  actor: string;
  action: string;
  subject: string | null;
  remote: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

export function rowToEntry(row: AuditRow): AuditEntry {
  return { seq: Number(row.seq), at: Number(row.at), actor: row.actor, action: row.action as AuditAction, subject: row.subject, remote: row.remote, detail: JSON.parse(row.detail), prevHash: row.prev_hash, hash: row.hash };
}

export function entryToRow(entry: AuditEntry): unknown[] {
  return [entry.seq, entry.at, entry.actor, entry.action, entry.subject, entry.remote, JSON.stringify(entry.detail), entry.prevHash, entry.hash];
}
