import { z } from 'zod';

/** Retry schedule of webhook deliveries, in seconds (svix-like: about 28 h in all). */
const defaultWebhookSchedule = [5, 300, 1800, 7200, 18000, 36000, 36000];

/** `sandbox.webhooks`: how signed webhook deliveries are made and retried. */
const webhooksSchema = z
  .strictObject({
    /** Seconds before attempt 2, 3, …; its length is the number of retries, then the delivery is dead. @default [5, 300, 1800, 7200, 18000, 36000, 36000] */
    retrySchedule: z.array(z.number().min(0)).max(50).default(defaultWebhookSchedule),
    /** How long one delivery attempt may take, in ms. @default 10000 */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Deliveries in flight at once. @default 4 */
    concurrency: z.number().int().min(1).max(64).default(4),
    /** Registrations one key may hold. @default 10 */
    maxPerKey: z.number().int().min(1).max(100).default(10),
  })
  .prefault({});

/** `sandbox:` section — the local Discharge API. Owned by sandbox/. */
export const sandboxConfigSchema = z
  .strictObject({
    /** @default '127.0.0.1' */
    host: z.string().default('127.0.0.1'),
    /** 0 lets the OS pick. @default 8080 */
    port: z.number().int().min(0).max(65535).default(8080),
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
