import { z } from 'zod';
import { durationSchema } from '../config/duration.js';

/** The alert names, the same as the rules in ops/prometheus/caraloom-rules.yaml. */
export const alertNames = [
  'CaraloomDischargesNotFlowing',
  'CaraloomFeedSilent',
  'CaraloomOldestQueuedTooOld',
  'CaraloomDeadLetters',
  'CaraloomApiUnreachable',
  'CaraloomAckErrorSpike',
  'CaraloomSubscriberCircuitOpen',
  'CaraloomDiskLow',
  'CaraloomCertificateExpiring',
] as const;
export type AlertName = (typeof alertNames)[number];

const webhookSchema = z.strictObject({
  /** Receiver URL; a token in it comes from `${ENV}` (or use `urlFile`). Redacted from `caraloom doctor` output. */
  url: z.url({ protocol: /^https?$/ }).optional(),
  /** A file (mode 0600) holding the whole URL, for a URL that is itself the secret (Teams, Slack). */
  urlFile: z.string().min(1).optional(),
  /** `json` (generic), `slack` (Slack and Mattermost incoming webhooks), `teams` (Teams incoming webhook / workflow, MessageCard). @default 'json' */
  format: z.enum(['json', 'slack', 'teams']).default('json'),
  /** @default '10s' */
  timeout: durationSchema.prefault('10s'),
}).refine((hook) => (hook.url === undefined) !== (hook.urlFile === undefined), { message: 'give url or urlFile (one of them)' });

const emailSchema = z.strictObject({
  /** SMTP server. */
  host: z.string().min(1),
  /** @default 587 */
  port: z.number().int().min(1).max(65535).default(587),
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when offered. @default false */
  secure: z.boolean().default(false),
  /** Refuse to send without TLS (STARTTLS required). @default true */
  requireTls: z.boolean().default(true),
  /** PEM CA file the server's certificate must chain to (an internal CA); public roots otherwise. */
  caFile: z.string().min(1).optional(),
  /** SMTP login; the password from `${SMTP_PASSWORD}`. */
  user: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  /** A file (mode 0600) holding the SMTP password, instead of `password`. */
  passwordFile: z.string().min(1).optional(),
  from: z.string().min(3),
  to: z.array(z.string().min(3)).min(1),
  /** @default '15s' */
  timeout: durationSchema.prefault('15s'),
});

export const alertsConfigSchema = z
  .strictObject({
    /** How often conditions are evaluated. @default '30s' */
    interval: durationSchema.prefault('30s'),
    /** While a condition lasts, remind at most this often; 0 never. @default '4h' */
    reminder: durationSchema.prefault('4h'),
    /** Alerts not to send (names as in the Prometheus rules). @default [] */
    disabled: z.array(z.enum(alertNames)).default([]),
    webhooks: z.array(webhookSchema).default([]),
    email: emailSchema.optional(),
    thresholds: z
      .strictObject({
        /** Queued work with no delivery for this long: CaraloomDischargesNotFlowing. @default '30m' */
        notFlowing: durationSchema.prefault('30m'),
        /** No message received for this long: CaraloomFeedSilent. @default '2h' */
        feedSilent: durationSchema.prefault('2h'),
        /** CaraloomOldestQueuedTooOld. @default '15m' */
        oldestQueued: durationSchema.prefault('15m'),
        /** CaraloomApiUnreachable. @default '5m' */
        apiUnreachable: durationSchema.prefault('5m'),
        /** Share of AE/AR among the last 15 minutes' ACKs: CaraloomAckErrorSpike. @default 0.2 */
        ackErrorRatio: z.number().min(0).max(1).default(0.2),
        /** …with at least this many messages. @default 10 */
        ackErrorMinimum: z.number().int().min(1).default(10),
        /** CaraloomDiskLow, in bytes. @default 2147483648 (2 GiB) */
        diskFreeBytes: z.number().int().min(0).default(2 * 1024 ** 3),
        /** CaraloomCertificateExpiring. @default '30d' */
        certificateExpiry: durationSchema.prefault('30d'),
      })
      .prefault({}),
  })
  .prefault({});

export type AlertsConfig = z.infer<typeof alertsConfigSchema>;
