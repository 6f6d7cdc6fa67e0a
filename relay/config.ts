import { z } from 'zod';
import { adminTokensSchema } from '../core/http/bearer.js';
import { defaultSchedule } from '../core/retry-policy.js';
import { secretProblem } from '../core/signature.js';
import { durationSchema } from '../core/config/duration.js';
import { portSchema } from '../core/config/numbers.js';
import { tlsConfigSchema } from '../core/tls.js';

const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected a lower-case name of letters, digits, - and _ (it names a queue)');
const eventType = z.string().regex(/^(\*|[a-z0-9_]+(\.[a-z0-9_*]+)*)$/, 'expected an event type such as referral.matched, referral.*, or *');

/**
 * Which events a subscriber wants: types (`*` and `referral.*` allowed) and
 * optional equality filters on fields of the event's `data` (dot paths; a list
 * means any of these values).
 */
const selection = {
  /** @default ['*'] */
  events: z.array(eventType).min(1).default(['*']),
  /** e.g. `{ care_type: ['Home Health', 'Hospice'], facility: 'NORTH' }`. @default {} */
  filter: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))])).default({}),
  /**
   * `referral`: one referral's events in order, different referrals in parallel;
   * `subscriber`: strictly one at a time in arrival order; `none`: no ordering.
   * @default 'referral'
   */
  ordering: z.enum(['referral', 'subscriber', 'none']).default('referral'),
  /** Deliveries in flight at once for this subscriber. @default 4 */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Overrides `relay.retry.schedule` for this subscriber (`[5s, 5m]`; bare numbers are seconds, as everywhere — they were milliseconds before issue #12). */
  retrySchedule: z.array(durationSchema).max(30).optional(),
};

const httpSubscriber = z.strictObject({
  name,
  kind: z.literal('http'),
  url: z.url({ protocol: /^https?$/ }),
  /** Signing secret (`whsec_…`), normally `${EHR_HOOK_SECRET}`; unsigned when absent. */
  secret: z.string().min(16).optional(),
  /** Extra request headers (e.g. an API gateway key). @default {} */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).default({}),
  /** @default 10 s */
  timeout: durationSchema.default(10_000),
  ...selection,
});

const tls = z.strictObject({
  /** PEM files. */
  ca: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
  /** SNI / certificate name, when it differs from `host`. */
  servername: z.string().optional(),
  /** @default true */
  rejectUnauthorized: z.boolean().default(true),
});

const mllpSubscriber = z.strictObject({
  name,
  kind: z.literal('mllp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  /** MLLP over TLS when set (`tls: {}` uses the system CAs). */
  tls: tls.optional(),
  /** Template file rendering each event as HL7 v2. @default 'mappings/relay/referral-rri-i12.yaml' */
  mapping: z.string().min(1).default('mappings/relay/referral-rri-i12.yaml'),
  /** How long to wait for the ACK. @default 30 s */
  timeout: durationSchema.default(30_000),
  ...selection,
  /** EHR interfaces expect one message at a time, in order. @default 'subscriber' */
  ordering: z.enum(['referral', 'subscriber', 'none']).default('subscriber'),
  /** @default 1 */
  concurrency: z.number().int().min(1).max(16).default(1),
});

const fileSubscriber = z.strictObject({
  name,
  kind: z.literal('file'),
  /** JSON lines, one event per line, appended. Holds event data: keep it where PHI may live. */
  path: z.string().min(1),
  ...selection,
});

const logSubscriber = z.strictObject({
  name,
  kind: z.literal('log'),
  ...selection,
});

export const subscriberSchema = z.discriminatedUnion('kind', [httpSubscriber, mllpSubscriber, fileSubscriber, logSubscriber]);

/** `relay:` section — webhook intake and fan-out. Owned by relay/. */
export const relayConfigSchema = z
  .strictObject({
    /** @default '127.0.0.1' */
    host: z.string().default('127.0.0.1'),
    /** @default 8082 */
    port: portSchema.default(8082),
    /** Serve the webhook listener over HTTPS (same options and policy as the connector's `mllp.tls`). */
    tls: tlsConfigSchema.optional(),
    /** Where the API posts events. @default '/webhooks/caraloom' */
    path: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/).default('/webhooks/caraloom'),
    /** Largest webhook body accepted (413 above). @default 256 KiB */
    bodyLimit: z.number().int().min(1_024).max(16 * 1024 * 1024).default(256 * 1024),
    /** Active verification secrets (several during rotation); `CARALOOM_WEBHOOK_SECRET` overrides. @default [] */
    secrets: z.array(z.string().superRefine((value, ctx) => {
      const problem = secretProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })).default([]),
    /** File written by `caraloom relay register` (one secret a line, mode 0600). @default '<data>/relay-secrets' */
    secretsFile: z.string().min(1).optional(),
    /** Events whose signed timestamp is further than this from now are refused. @default 5 min */
    tolerance: durationSchema.default(300_000),
    /** Refuse events without Standard Webhooks timestamp headers. @default false */
    requireTimestamp: z.boolean().default(false),
    /**
     * How long event ids are remembered to drop duplicates. Must outlast the
     * sender's whole retry schedule (the API retries for about 28 h). @default 3 d
     */
    dedupeWindow: durationSchema.refine((ms) => ms >= 30 * 3_600_000, 'must be at least 30h: longer than the API\'s whole retry schedule (about 28 h)').default(3 * 86_400_000),
    /** Superseded by the top-level `retention:` section (`relayContent`, `relayMetadata`); read but no longer used. @default 7 d */
    retention: durationSchema.default(7 * 86_400_000),
    retry: z
      .strictObject({
        /** Delays before attempt 2, 3, …; dead letter after the last. @default 5s 5m 30m 2h 5h 10h 10h */
        schedule: z.array(durationSchema).max(30).default([...defaultSchedule]),
        /** @default 0.2 */
        jitter: z.number().min(0).max(1).default(0.2),
      })
      .prefault({}),
    breaker: z
      .strictObject({
        /** Consecutive failed attempts that open the circuit (0 disables). @default 5 */
        failures: z.number().int().min(0).default(5),
        /** How long an open circuit fails fast before one probe goes through. @default 30 s */
        cooldown: durationSchema.default(30_000),
      })
      .prefault({}),
    /**
     * `{ name, token, role }` entries for `/admin/*` (role `viewer`, `operator` or `phi`; see docs/phi.md);
     * a bare string, like `CARALOOM_RELAY_ADMIN_TOKEN`, is role `operator`. No token: admin API off. @default []
     */
    adminTokens: adminTokensSchema,
    /** @default [] */
    subscribers: z.array(subscriberSchema).default([]),
  })
  .superRefine((relay, ctx) => {
    const seen = new Set<string>();
    relay.subscribers.forEach((subscriber, index) => {
      if (seen.has(subscriber.name)) ctx.addIssue({ code: 'custom', path: ['subscribers', index, 'name'], message: `duplicate subscriber name ${subscriber.name}` });
      seen.add(subscriber.name);
    });
  })
  .prefault({});

export type RelayConfig = z.infer<typeof relayConfigSchema>;
export type SubscriberConfig = z.infer<typeof subscriberSchema>;
export type HttpSubscriberConfig = z.infer<typeof httpSubscriber>;
export type MllpSubscriberConfig = z.infer<typeof mllpSubscriber>;
export type FileSubscriberConfig = z.infer<typeof fileSubscriber>;
