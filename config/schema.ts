import { z } from 'zod';
import { connectorConfigSchema } from '../connector/config.js';
import { consoleConfigSchema } from '../console/config.js';
import { relayConfigSchema } from '../relay/config.js';
import { sandboxConfigSchema } from '../sandbox/config.js';
import { retentionSchema } from '../core/config/retention.js';
import { storeSchema } from '../core/config/store.js';
import { alertsConfigSchema } from '../core/alerts/config.js';

/**
 * The whole product's config: one schema, validated once at start-up.
 * Each service owns its section's schema beside its code.
 */
export const configSchema = z.strictObject({
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
  store: storeSchema,
  sandbox: sandboxConfigSchema,
  connector: connectorConfigSchema,
  relay: relayConfigSchema,
  console: consoleConfigSchema,
  retention: retentionSchema,
  /** Built-in notifications (issue #15 §2): the conditions of ops/prometheus/caraloom-rules.yaml, by webhook and e-mail. */
  alerts: alertsConfigSchema,
});

export type Config = z.infer<typeof configSchema>;
