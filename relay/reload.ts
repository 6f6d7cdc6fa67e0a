/**
 * What a relay reload takes from the re-read `relay:` section, and what it
 * records. Subscribers (with their templates), verification secrets, retry
 * and breaker settings apply at once; settings of the listener itself (host,
 * port, path, TLS, tokens, limits) need a restart and are named as such.
 */
import { readFileSync } from 'node:fs';
import type { AuditDetail } from '../core/audit/chain.js';
import { versionHash } from '../core/reload.js';
import type { RelayConfig } from './config.js';
import { resolveTemplate } from './subscribers.js';

/** Keys a reload applies; any other changed key waits for a restart. */
const live = new Set<keyof RelayConfig>(['subscribers', 'secrets', 'secretsFile', 'retry', 'breaker']);

/** `relay.<key>` of every changed setting a reload cannot apply. */
export function restartNeeded(running: RelayConfig, next: RelayConfig): string[] {
  const keys = new Set([...Object.keys(running), ...Object.keys(next)] as (keyof RelayConfig)[]);
  return [...keys].filter((key) => !live.has(key) && JSON.stringify(running[key]) !== JSON.stringify(next[key])).map((key) => `relay.${key}`).sort();
}

/**
 * The audit detail: subscriber names, how many secrets come from config (never
 * the secrets), each MLLP template's content hash, and what waits for a restart.
 */
export function reloadDetail(next: RelayConfig, baseDir: string, pending: readonly string[]): AuditDetail {
  const detail: AuditDetail = { subscribers: next.subscribers.map((subscriber) => subscriber.name).join(','), configSecrets: next.secrets.length };
  for (const subscriber of next.subscribers) {
    if (subscriber.kind !== 'mllp') continue;
    try {
      detail[`template.${subscriber.name}`] = versionHash(readFileSync(resolveTemplate(baseDir, subscriber.mapping), 'utf8'));
    } catch {
      detail[`template.${subscriber.name}`] = 'unreadable';
    }
  }
  if (pending.length > 0) detail.restartNeeded = pending.join(',');
  return detail;
}
