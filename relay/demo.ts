import path from 'node:path';
import { request } from 'undici';
import { describeError } from '../core/errors.js';
import { relayConfigSchema, type RelayConfig } from './config.js';
import { registerRelay } from './register.js';
import { addSecretToFile, defaultSecretsFile, readSecretsFile } from './secrets.js';

/**
 * For `caraloom up`: the configured relay section plus two demo subscribers
 * when config names none — `demo` appends every event to
 * `<data>/demo-subscriber.jsonl`, `console` logs one line per event
 * ("the referral.matched event arrived at your subscriber").
 */
export function demoRelayConfig(base: RelayConfig, dataDir: string): RelayConfig {
  if (base.subscribers.length > 0) return base;
  return relayConfigSchema.parse({
    ...base,
    subscribers: [
      { name: 'demo', kind: 'file', path: path.join(dataDir, 'demo-subscriber.jsonl') },
      { name: 'console', kind: 'log' },
    ],
  });
}

export interface EnsureRegisteredOptions {
  apiUrl: string;
  apiKey: string;
  /** The relay's webhook URL, e.g. `http://127.0.0.1:8082/webhooks/caraloom`. */
  url: string;
  /** Where the relay reads secrets: `relay.secretsFile` or `defaultSecretsFile(dataDir)`. */
  secretsFile?: string;
  dataDir: string;
  events?: readonly string[];
}

/**
 * Register the relay with the API unless it already is (a registration for
 * this URL exists and the secrets file holds a secret), so `caraloom up` can
 * call it on every start without piling up registrations.
 */
export async function ensureRegistered(options: EnsureRegisteredOptions): Promise<{ registered: boolean; secretsFile: string }> {
  const secretsFile = options.secretsFile ?? defaultSecretsFile(options.dataDir);
  if (readSecretsFile(secretsFile).length > 0 && (await isRegistered(options))) return { registered: false, secretsFile };
  const registration = await registerRelay({ apiUrl: options.apiUrl, apiKey: options.apiKey, url: options.url, events: options.events });
  addSecretToFile(secretsFile, registration.secret);
  return { registered: true, secretsFile };
}

async function isRegistered(options: EnsureRegisteredOptions): Promise<boolean> {
  const base = options.apiUrl.replace(/\/+$/, '');
  try {
    const response = await request(/\/v1$/.test(base) ? `${base}/webhooks` : `${base}/v1/webhooks`, { headers: { authorization: `Bearer ${options.apiKey}` }, signal: AbortSignal.timeout(10_000) });
    if (response.statusCode !== 200) {
      await response.body.dump();
      return false;
    }
    const body = (await response.body.json()) as { data?: Array<{ url?: string }> };
    return (body.data ?? []).some((registration) => registration.url === options.url);
  } catch (error) {
    throw new Error(`cannot list webhooks at ${base}: ${describeError(error)}`);
  }
}
