import { z } from 'zod';
import { adminTokensSchema } from '../core/http/bearer.js';
import { durationListSchema, durationSchema } from '../core/config/duration.js';
import { portSchema } from '../core/config/numbers.js';
import { legacyKeys } from '../core/config/renamed.js';
import { allowFromProblems } from '../core/mllp/allow-from.js';
import { tlsConfigSchema } from '../core/tls.js';
import { fhirIntakeConfigSchema } from './fhir/config.js';

/** Milliseconds before attempt 2, 3, …: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about 28 h in all). */
const defaultRetrySchedule = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** Every HL7 v2 release; a message's MSH-12 matches an entry or one of its sub-releases (2.5 covers 2.5.1). */
const defaultVersions = ['2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9'];

const mllpSchema = legacyKeys(
  z.strictObject({
    /** 0 lets the OS pick. @default 2575 */
    port: portSchema.default(2575),
    /** Largest frame accepted; bigger frames are answered AR and never buffered whole. @default 1048576 */
    maxFrameBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    /** Close a connection silent for this long (`5m`); 0 never. Old name `idleTimeoutMs`. @default 5m */
    idleTimeout: durationSchema.default(300_000),
    /** Connections beyond this are refused. @default 100 */
    maxConnections: z.number().int().min(1).max(10_000).default(100),
    /** TCP keep-alive initial delay (`60s`); 0 off. Old name `keepAliveMs`. @default 60s */
    keepAlive: durationSchema.default(60_000),
    /** A frame, once its start block arrived, must end within this (`30s`), or the connection is closed; 0 never. @default 30s */
    frameTimeout: durationSchema.default(30_000),
    /** Connections from one peer address beyond this are refused (beside `maxConnections`). @default 10 */
    maxConnectionsPerPeer: z.number().int().min(1).max(10_000).default(10),
    /** Addresses / CIDR ranges that may connect (`10.20.0.0/16`, `192.168.4.7`, `fd00::/8`); others are closed before a byte is read. @default anyone */
    allowFrom: z
      .array(z.string())
      .min(1, 'list at least one address, or leave allowFrom out to accept anyone')
      .superRefine((entries, ctx) => {
        for (const problem of allowFromProblems(entries)) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /**
     * Bytes of frames being handled at once, all connections together; further
     * frames wait unread. A frame larger than this is handled alone. The default
     * lets one maximum-size frame (or hundreds of ordinary ADTs) through at a
     * time: parsing a 1 MiB message of short segments costs ~40 MB. @default 1048576 (1 MiB)
     */
    maxInFlightBytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(1024 * 1024),
    /** Serve MLLP over TLS (`mllps://`); policy in core/tls.ts (TLS 1.2+ with forward secrecy). */
    tls: tlsConfigSchema.optional(),
  }),
  { idleTimeoutMs: { to: 'idleTimeout', unit: 'ms' }, keepAliveMs: { to: 'keepAlive', unit: 'ms' } },
).prefault({});

const httpSchema = z
  .strictObject({
    /** 0 lets the OS pick. @default 8081 */
    port: portSchema.default(8081),
    /** Bearer tokens accepted on `POST /hl7`; empty disables HTTP intake. Reference env: `${CARALOOM_HL7_TOKEN}`. @default [] */
    tokens: z.array(z.string().min(16, 'tokens must be at least 16 characters')).default([]),
    /** Largest `POST /hl7` body, in bytes. @default 1048576 */
    bodyLimit: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    /** Serve the HTTP door (`/hl7`, `/fhir`, `/admin`, probes) over HTTPS; same options and policy as `mllp.tls`. */
    tls: tlsConfigSchema.optional(),
  })
  .prefault({});

const adminSchema = z
  .strictObject({
    /**
     * `{ name, token, role }` entries for `/admin/*` (role `viewer`, `operator` or `phi`;
     * see docs/phi.md); a bare string is role `operator`. Empty disables the admin API. @default []
     */
    tokens: adminTokensSchema,
  })
  .prefault({});

const apiSchema = legacyKeys(
  z.strictObject({
    /** Discharge API base URL (paths `/v1/…` are appended). @default 'http://127.0.0.1:8080' */
    url: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
    /** API key; prefer `${CARALOOM_API_KEY}` (the CLI also reads that variable). */
    key: z.string().min(1).optional(),
    /** One request's time limit (`15s`); a timeout is retried. Old name `timeoutMs`. @default 15s */
    timeout: durationSchema.refine((ms) => ms >= 100 && ms <= 300_000, 'expected a duration from 100ms to 5m').default(15_000),
    /** Keep-alive connections to the API. @default 8 */
    connections: z.number().int().min(1).max(256).default(8),
    /**
     * With a sandbox key (`clk_sandbox_…`) names, MRNs, street addresses and
     * birth dates are dropped or pseudonymised before sending. true sends them
     * as mapped: PATIENT DATA leaves the hospital to a sandbox. @default false
     */
    sendIdentifiersToSandbox: z.boolean().default(false),
    /**
     * FOR LAB USE ONLY. Allow an `http://` API URL with a non-sandbox key:
     * the key and PATIENT DATA then cross the network unencrypted. Without it
     * that combination is refused at start-up. @default false
     */
    allowInsecureApi: z.boolean().default(false),
  })
  .superRefine((api, ctx) => {
    // A key written in config is known here; one from the environment is checked at service start.
    const problem = insecureApiProblem(api.url, api.key, api.allowInsecureApi);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
  }),
  { timeoutMs: { to: 'timeout', unit: 'ms' } },
).prefault({});

const hl7Schema = z
  .strictObject({
    /** MSH-11 processing ids accepted; others get AR 202. Production sites often keep only P. @default ['P', 'T'] */
    processingIds: z.array(z.string().min(1)).min(1).default(['P', 'T']),
    /** MSH-12 versions accepted (2.5 also covers 2.5.1); others get AR 203. */
    versions: z.array(z.string().regex(/^\d+(\.\d+)*$/)).min(1).default(defaultVersions),
    /** Encoding of messages with no MSH-18 (HL7 says ASCII; set windows-1252 for feeds that send accents undeclared). @default 'utf-8' */
    fallbackEncoding: z.string().min(1).default('utf-8'),
    /**
     * An event of a message type the mappings take that no mapping selects
     * (A02, A05, A28… on a full ADT feed): `ignore` answers AA and records it
     * `ignored`, as engines answer what a channel filters (a NACK makes the
     * engine alert and, when it queues on NACK, hold back what follows);
     * `reject` answers AR 201. See docs/connector.md. @default 'ignore'
     */
    unmappedEvents: z.enum(['ignore', 'reject']).default('ignore'),
  })
  .prefault({});

const deliverySchema = z
  .strictObject({
    /** Deliveries in flight at once (different patients; one patient is always in order). @default 8 */
    concurrency: z.number().int().min(1).max(256).default(8),
    /** Delays before attempt 2, 3, … (`5s`, `5m`; bare numbers are seconds); its length is the number of retries before a dead letter. @default [5s, 5m, 30m, 2h, 5h, 10h, 10h] */
    retrySchedule: durationListSchema(50).default(defaultRetrySchedule),
    /** ± fraction of each delay chosen at random, so retries do not arrive in bursts. @default 0.2 */
    jitter: z.number().min(0).max(1).default(0.2),
    /** Days finished messages (and their duplicate-detection keys) are kept. @default 30 */
    retentionDays: z.number().min(1).max(3650).default(30),
  })
  .prefault({});

/** `connector:` section — HL7 v2 intake (MLLP, HTTP), mappings and delivery. Owned by connector/. */
export const connectorConfigSchema = z
  .strictObject({
    /** @default '127.0.0.1' */
    host: z.string().default('127.0.0.1'),
    /** Folder of mapping files (`*.yaml`), relative to the working directory. @default 'mappings' */
    mappings: z.string().min(1).default('mappings'),
    mllp: mllpSchema,
    http: httpSchema,
    admin: adminSchema,
    api: apiSchema,
    hl7: hl7Schema,
    delivery: deliverySchema,
    fhir: fhirIntakeConfigSchema,
  })
  .prefault({});

export type ConnectorConfig = z.infer<typeof connectorConfigSchema>;

/**
 * Why this API URL and key must not be used together, or undefined. A real
 * (non-sandbox) key over `http://` to another host would send the key and
 * patient data in clear text; only `allowInsecureApi` (lab use) lets that
 * start. Loopback URLs are allowed: the bytes never leave the machine.
 */
export function insecureApiProblem(url: string, key: string | undefined, allowInsecureApi: boolean): string | undefined {
  if (allowInsecureApi || key === undefined || key === '' || key.startsWith('clk_sandbox_')) return undefined;
  if (!url.toLowerCase().startsWith('http://')) return undefined;
  // Loopback never reaches the network (a local TLS egress proxy, the sandbox, tests).
  if (isLoopbackHost(new URL(url).hostname)) return undefined;
  return 'an http:// API URL with a non-sandbox key would send the key and patient data unencrypted: use https://, or set connector.api.allowInsecureApi: true (lab use only)';
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** A connector section with defaults applied, from a partial one (tests, `caraloom up`). */
export function connectorConfig(partial: Record<string, unknown> = {}): ConnectorConfig {
  return connectorConfigSchema.parse(partial);
}
