import { z } from 'zod';
import { durationListSchema, durationSchema } from '../core/config/duration.js';
import { portSchema } from '../core/config/numbers.js';
import { legacyKeys } from '../core/config/renamed.js';

/** Retry schedule of webhook deliveries, in ms (svix-like: 5s 5m 30m 2h 5h 10h 10h, about 28 h in all). */
const defaultWebhookSchedule = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** `sandbox.webhooks`: how signed webhook deliveries are made and retried. */
const webhooksSchema = legacyKeys(
  z.strictObject({
    /** Delays before attempt 2, 3, … (`5s`, `5m`; bare numbers are seconds); its length is the number of retries, then the delivery is dead. @default [5s, 5m, 30m, 2h, 5h, 10h, 10h] */
    retrySchedule: durationListSchema(50).default(defaultWebhookSchedule),
    /** How long one delivery attempt may take (`10s`). Old name `timeoutMs`. @default 10s */
    timeout: durationSchema.refine((ms) => ms >= 100 && ms <= 120_000, 'expected a duration from 100ms to 2m').default(10_000),
    /** Deliveries in flight at once. @default 4 */
    concurrency: z.number().int().min(1).max(64).default(4),
    /** Registrations one key may hold. @default 10 */
    maxPerKey: z.number().int().min(1).max(100).default(10),
  }),
  { timeoutMs: { to: 'timeout', unit: 'ms' } },
).prefault({});

/** `sandbox:` section — the local Discharge API. Owned by sandbox/. */
export const sandboxConfigSchema = z
  .strictObject({
    /** @default '127.0.0.1' */
    host: z.string().default('127.0.0.1'),
    /** 0 lets the OS pick. @default 8080 */
    port: portSchema.default(8080),
    /** Requests a minute per key; 0 disables. @default 60 */
    ratePerMinute: z.number().int().min(0).default(60),
    /** Requests a day per key; 0 disables. @default 5000 */
    ratePerDay: z.number().int().min(0).default(5000),
    /** Largest request body accepted, in bytes (413 above). @default 1048576 */
    bodyLimit: z.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
    /**
     * Referrals kept in the store; the oldest are dropped beyond this. lowdb rewrites the whole
     * file per write (~1.7 KB a referral, ~20 ms a write at 1,000), so this bounds latency. @default 1000
     */
    maxReferrals: z.number().int().min(10).max(20_000).default(1000),
    /** Seed of the de-identified demo clinicians: the same seed gives the same data every run. @default 20260101 */
    seed: z.number().int().default(20260101),
    /** How many demo clinicians to generate (spread over the 50 states and DC). @default 4000 */
    clinicians: z.number().int().min(51).max(20_000).default(4000),
    webhooks: webhooksSchema,
  })
  .prefault({});

export type SandboxConfig = z.infer<typeof sandboxConfigSchema>;
