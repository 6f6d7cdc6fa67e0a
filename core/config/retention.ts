import { z } from 'zod';
import { durationSchema } from './duration.js';

const day = 86_400_000;

/**
 * `retention:` — how long stored things live (issue #13 §3). Content (raw
 * HL7, FHIR resources, requests, API answers, event bodies) goes first;
 * metadata (ids, statuses, times, control ids: what duplicate detection and
 * the audit trail need) later. The audit trail itself is never pruned.
 */
export const retentionSchema = z
  .strictObject({
    /** Content of delivered and cancelled messages. @default 7d */
    content: durationSchema.default(7 * day),
    /** Rows of every finished message, dead letters included (duplicate detection works while they last). @default 90d */
    metadata: durationSchema.default(90 * day),
    /** Content of dead letters (kept longer than delivered content, for replay). @default 30d */
    deadContent: durationSchema.default(30 * day),
    /** Content of filtered, ignored and rejected messages (nothing was sent). @default 1d */
    filteredContent: durationSchema.default(day),
    /** Content of relay events and deliveries (dead deliveries: `deadContent`). @default 7d */
    relayContent: durationSchema.default(7 * day),
    /** Rows of finished relay deliveries (event rows live `relay.dedupeWindow`). @default 30d */
    relayMetadata: durationSchema.default(30 * day),
    /** How often the services prune. @default 1h */
    interval: durationSchema.refine((ms) => ms >= 1_000, 'must be at least 1s').default(3_600_000),
  })
  .superRefine((value, ctx) => {
    for (const key of ['content', 'deadContent', 'filteredContent'] as const) {
      if (value[key] > value.metadata) ctx.addIssue({ code: 'custom', path: [key], message: `must not be longer than retention.metadata: content is removed before its row` });
    }
    if (value.relayContent > value.relayMetadata) ctx.addIssue({ code: 'custom', path: ['relayContent'], message: 'must not be longer than retention.relayMetadata' });
  })
  .prefault({});

export type RetentionConfig = z.infer<typeof retentionSchema>;

export const retentionConfig = (partial: Record<string, unknown> = {}): RetentionConfig => retentionSchema.parse(partial);
