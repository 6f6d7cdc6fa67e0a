import type { ItemStatus } from './types.js';

/**
 * One retention step over the journal (issue #13 §3). `content` keeps the
 * row (ids, status, times, meta, the dedupe key) and drops what carries
 * patient data: the payload, the far side's answer and attempt excerpts.
 * `metadata` deletes the row and its attempts. Only terminal statuses are
 * ever named, so nothing queued is touched.
 */
export interface PruneRule {
  /** Label for logs and the `caraloom_<service>_pruned_total{what}` metric. */
  what: string;
  mode: 'content' | 'metadata';
  queue?: string | undefined;
  /** Every queue whose name starts with this (e.g. `relay.sub.`). */
  queuePrefix?: string | undefined;
  statuses: readonly ItemStatus[];
  /** Items last updated before this epoch ms. */
  before: number;
}

export interface PruneOptions {
  /** Count what would go, change nothing. */
  dryRun?: boolean | undefined;
  /** Rows per statement (each its own short transaction), so intake never waits long behind a prune. @default 1000 */
  batch?: number | undefined;
  /** Called after each committed batch with the rows it pruned (progress, and tests interleaving intake). */
  onBatch?: ((pruned: number) => void) | undefined;
}

export const defaultPruneBatch = 1_000;

/** Shared WHERE clause: `mark(i)` renders the i-th placeholder (`?` or `$i`). */
export function pruneWhere(rule: PruneRule, mark: (index: number) => string, contentColumn: string): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const next = (value: unknown): string => {
    values.push(value);
    return mark(values.length);
  };
  if (rule.queue === undefined && rule.queuePrefix === undefined) throw new Error('a prune rule names a queue or a queue prefix');
  if (rule.statuses.includes('queued')) throw new Error('queued items are never pruned');
  const scope = rule.queue !== undefined ? `queue = ${next(rule.queue)}` : `substr(queue, 1, ${next(rule.queuePrefix!.length)}) = ${next(rule.queuePrefix)}`;
  const statuses = rule.statuses.map((status) => next(status)).join(', ');
  const content = rule.mode === 'content' ? ` AND ${contentColumn} <> 'null'` : '';
  return { sql: `${scope} AND status IN (${statuses}) AND updated_at < ${next(rule.before)}${content}`, values };
}
