import { z } from 'zod';

/** `relay:` section — webhook intake and fan-out. Owned by relay/. */
export const relayConfigSchema = z
  .strictObject({
    /** @default '127.0.0.1' */
    host: z.string().default('127.0.0.1'),
    /** @default 8082 */
    port: z.number().int().min(0).max(65535).default(8082),
  })
  .prefault({});

export type RelayConfig = z.infer<typeof relayConfigSchema>;
