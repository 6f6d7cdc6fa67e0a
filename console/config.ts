import { z } from 'zod';
import { durationSchema } from '../core/config/duration.js';
import { portSchema } from '../core/config/numbers.js';
import { tlsConfigSchema } from '../core/tls.js';

/** One connector or relay admin API the console reads and acts through. */
const targetSchema = z.strictObject({
  /** Shown in the page and the audit trail; unique per kind. */
  name: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, 'expected 1-40 letters, digits or . _ -'),
  /** Base URL of the admin API (`http://10.0.0.5:8081`); `/admin/…` is appended. */
  url: z.url({ protocol: /^https?$/ }),
  /** Admin bearer token; reference it from the environment: `${CARALOOM_CONNECTOR_ADMIN_TOKEN}`. */
  token: z.string().min(16, 'tokens must be at least 16 characters'),
});

export const consoleConfigSchema = z
  .strictObject({
    /** @default '127.0.0.1' */
    host: z.string().default('127.0.0.1'),
    /** 0 lets the OS pick. @default 8090 */
    port: portSchema.default(8090),
    /** Connector admin APIs. @default [] */
    connectors: z.array(targetSchema).default([]),
    /** Relay admin APIs (the relay's admin listener, which may sit in a DMZ). @default [] */
    relays: z.array(targetSchema).default([]),
    /** Local users (`caraloom console user add`). Relative to the data folder. @default 'console-users.json' */
    usersFile: z.string().min(1).default('console-users.json'),
    /** Append-only audit file of console actions and content views. Relative to the data folder. @default 'console-audit.jsonl' */
    auditFile: z.string().min(1).default('console-audit.jsonl'),
    /** A session unused this long is logged out; live-update polling does not count as use. @default '15m' */
    idleTimeout: durationSchema.default(15 * 60_000),
    /** How often the dashboard refreshes itself. @default '3s' */
    pollInterval: durationSchema.default(3_000),
    /** How long one admin API call may take before the page shows it as unreachable. @default '5s' */
    requestTimeout: durationSchema.default(5_000),
    /** Serve the console over HTTPS (same options and policy as every other listener): cookies are then Secure and HSTS is sent. */
    tls: tlsConfigSchema.optional(),
    /** Mark cookies Secure even over plain HTTP (the console behind a TLS-terminating proxy). TLS requests always get Secure. @default false */
    secureCookies: z.boolean().default(false),
  })
  .prefault({})
  .superRefine((value, ctx) => {
    for (const kind of ['connectors', 'relays'] as const) {
      const names = value[kind].map((target) => target.name);
      names.forEach((name, index) => {
        if (names.indexOf(name) !== index) ctx.addIssue({ code: 'custom', path: [kind, index, 'name'], message: `duplicate name ${JSON.stringify(name)}` });
      });
    }
  });

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
export type ConsoleTarget = ConsoleConfig['connectors'][number];

/** A console section with defaults applied, from a partial one (tests, `caraloom up`). */
export function consoleConfig(partial: Record<string, unknown> = {}): ConsoleConfig {
  return consoleConfigSchema.parse(partial);
}
