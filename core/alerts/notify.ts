/**
 * Where notices go: webhooks (generic JSON, Slack-compatible, Teams
 * MessageCard) and e-mail over SMTP. Bodies hold the alert name, the service,
 * the host, a PHI-free summary and times — nothing from any message.
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { request } from 'undici';
import type { ResolvedEmail, ResolvedWebhook } from './secrets.js';
import type { Notice } from './engine.js';

export interface NoticeContext {
  service: string;
  /** Host name (or `instance` label) so a site with several servers knows which one. */
  instance: string;
}

export interface Notifier {
  readonly name: string;
  send(notice: Notice, context: NoticeContext): Promise<void>;
  close?(): void;
}

const word: Record<Notice['kind'], string> = { firing: 'FIRING', reminder: 'STILL FIRING', resolved: 'RESOLVED' };
export const runbookAnchor = (alert: string): string => `docs/operations.md#${alert.toLowerCase()}`;

export function noticeTitle(notice: Notice, context: NoticeContext): string {
  return `[CaraLoom ${word[notice.kind]}] ${notice.alert} on ${context.service}@${context.instance}${notice.subject === context.service ? '' : ` (${notice.subject})`}`;
}

export function noticeText(notice: Notice, context: NoticeContext): string {
  return [
    `${notice.summary}.`,
    `Severity: ${notice.severity}. Since ${new Date(notice.since).toISOString()}${notice.kind === 'resolved' ? `, resolved ${new Date(notice.at).toISOString()}` : ''}.`,
    `Service ${context.service} on ${context.instance}. Runbook: ${runbookAnchor(notice.alert)}`,
  ].join('\n');
}

export function webhookBody(format: 'json' | 'slack' | 'teams', notice: Notice, context: NoticeContext): unknown {
  switch (format) {
    case 'json':
      return { source: 'caraloom-connect', status: notice.kind, alert: notice.alert, subject: notice.subject, severity: notice.severity, summary: notice.summary, service: context.service, instance: context.instance, since: new Date(notice.since).toISOString(), at: new Date(notice.at).toISOString(), runbook: runbookAnchor(notice.alert) };
    case 'slack':
      return { text: `*${noticeTitle(notice, context)}*\n${noticeText(notice, context)}` };
    case 'teams':
      return {
        '@type': 'MessageCard',
        '@context': 'https://schema.org/extensions',
        summary: noticeTitle(notice, context),
        themeColor: notice.kind === 'resolved' ? '2EB886' : notice.severity === 'critical' ? 'D00000' : 'F2C744',
        title: noticeTitle(notice, context),
        text: noticeText(notice, context).replaceAll('\n', '\n\n'),
      };
    default: {
      const unknown: never = format;
      throw new Error(`unknown webhook format ${String(unknown)}`);
    }
  }
}

export function webhookNotifier(config: ResolvedWebhook): Notifier {
  const origin = new URL(config.url).origin;
  return {
    name: `webhook ${origin}`,
    async send(notice, context) {
      const response = await request(config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'caraloom-connect-alerts' },
        body: JSON.stringify(webhookBody(config.format, notice, context)),
        headersTimeout: config.timeout,
        bodyTimeout: config.timeout,
      });
      await response.body.dump();
      if (response.statusCode >= 300) throw new Error(`webhook ${origin} answered HTTP ${response.statusCode}`);
    },
  };
}

export function emailNotifier(config: ResolvedEmail): Notifier {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTls && !config.secure,
    ...(config.user === undefined ? {} : { auth: { user: config.user, pass: config.password ?? '' } }),
    ...(config.caFile === undefined ? {} : { tls: { ca: readFileSync(config.caFile, 'utf8'), minVersion: 'TLSv1.2' as const } }),
    connectionTimeout: config.timeout,
    greetingTimeout: config.timeout,
    socketTimeout: config.timeout,
  });
  return {
    name: `smtp ${config.host}:${config.port}`,
    async send(notice, context) {
      await transport.sendMail({ from: config.from, to: config.to, subject: noticeTitle(notice, context), text: noticeText(notice, context) });
    },
    close: () => transport.close(),
  };
}
