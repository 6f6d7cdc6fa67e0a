import { z } from 'zod';

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
  })
  .prefault({});

export type SandboxConfig = z.infer<typeof sandboxConfigSchema>;
