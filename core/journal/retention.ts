import type { Counter } from 'prom-client';
import type { AuditLog } from '../audit/log.js';
import type { RetentionConfig } from '../config/retention.js';
import type { Logger } from '../logger.js';
import type { PruneRule } from './prune.js';
import type { Journal } from './types.js';

/** The queues each service prunes; the relay's pause records (`relay.pause.*`) are never touched. */
const connectorOutbox = 'connector.outbox';
const relayEvents = 'relay.events';
const relayDeliveries = 'relay.sub.';

/**
 * The connector's steps at `now`, content first: each rule only names
 * terminal statuses, and metadata rules delete rows whose content is
 * already gone (content periods are never longer than metadata ones).
 */
export function connectorPlan(retention: RetentionConfig, now: number): PruneRule[] {
  const queue = connectorOutbox;
  return [
    { what: 'content', mode: 'content', queue, statuses: ['delivered', 'cancelled'], before: now - retention.content },
    { what: 'filtered-content', mode: 'content', queue, statuses: ['filtered', 'rejected'], before: now - retention.filteredContent },
    { what: 'dead-content', mode: 'content', queue, statuses: ['dead'], before: now - retention.deadContent },
    { what: 'metadata', mode: 'metadata', queue, statuses: ['delivered', 'cancelled', 'filtered', 'rejected', 'dead'], before: now - retention.metadata },
  ];
}

/**
 * The relay's steps. Event rows are its dedupe records: they live exactly
 * `relay.dedupeWindow`; deliveries carry the event too, so an event stays
 * viewable and replayable from them until their own content goes.
 */
export function relayPlan(retention: RetentionConfig, dedupeWindow: number, now: number): PruneRule[] {
  return [
    { what: 'event-content', mode: 'content', queue: relayEvents, statuses: ['delivered'], before: now - retention.relayContent },
    { what: 'delivery-content', mode: 'content', queuePrefix: relayDeliveries, statuses: ['delivered', 'cancelled', 'filtered', 'rejected'], before: now - retention.relayContent },
    { what: 'dead-content', mode: 'content', queuePrefix: relayDeliveries, statuses: ['dead'], before: now - Math.min(retention.deadContent, retention.relayMetadata) },
    { what: 'event-metadata', mode: 'metadata', queue: relayEvents, statuses: ['delivered'], before: now - dedupeWindow },
    { what: 'delivery-metadata', mode: 'metadata', queuePrefix: relayDeliveries, statuses: ['delivered', 'cancelled', 'filtered', 'rejected', 'dead'], before: now - retention.relayMetadata },
  ];
}

export interface PruneReport {
  dryRun: boolean;
  /** Rows pruned (or that would be) per rule, in plan order. */
  steps: Array<{ what: string; mode: PruneRule['mode']; before: string; count: number }>;
  total: number;
}

export interface RunPruneOptions {
  dryRun?: boolean | undefined;
  logger?: Logger | undefined;
  /** `caraloom_<service>_pruned_total{what}`. */
  counter?: Counter<'what'> | undefined;
  /** Who pruned, for the audit entry (a service names itself; the CLI the OS user). */
  actor: string;
}

/**
 * Runs a plan: every step, then one audit entry, then hands the freed space
 * back, then one log line saying what went (counts only, never content).
 */
export async function runPrune(journal: Journal, plan: readonly PruneRule[], options: RunPruneOptions): Promise<PruneReport> {
  const dryRun = options.dryRun === true;
  const steps: PruneReport['steps'] = [];
  for (const rule of plan) {
    const count = await journal.prune(rule, { dryRun });
    steps.push({ what: rule.what, mode: rule.mode, before: new Date(rule.before).toISOString(), count });
    if (!dryRun && count > 0) options.counter?.inc({ what: rule.what }, count);
  }
  const total = steps.reduce((sum, step) => sum + step.count, 0);
  if (!dryRun && total > 0) {
    const counts = Object.fromEntries(steps.map((step) => [step.what, step.count]));
    // The audit entry first, so the reclaim's checkpoint takes it along and leaves an empty WAL.
    await recordPrune(journal.audit, options.actor, counts);
    await journal.reclaimSpace();
    options.logger?.info({ pruned: counts, total }, 'retention prune removed content and records past their retention');
  }
  return { dryRun, steps, total };
}

const recordPrune = (audit: AuditLog, actor: string, counts: Record<string, number>) => audit.append({ actor, action: 'pruned', detail: counts });
