import { request } from 'undici';
import { CaraloomError, describeError } from '../core/errors.js';

export interface RegisterOptions {
  /** The API's base URL (`http://127.0.0.1:8080`, `https://caraloom.com/api`). */
  apiUrl: string;
  apiKey: string;
  /** Where the API should post events: the relay's public webhook URL. */
  url: string;
  /** @default ['referral.created', 'referral.matched'] */
  events?: readonly string[];
  /** @default 15000 */
  timeoutMs?: number;
}

export interface Registration {
  id: string;
  /** Shown once by the API: store it, never log it. */
  secret: string;
  url: string;
  events: string[];
}

/** `POST {apiUrl}/v1/webhooks`: register the relay and get its signing secret. */
export async function registerRelay(options: RegisterOptions): Promise<Registration> {
  const base = options.apiUrl.replace(/\/+$/, '');
  const endpoint = /\/v1$/.test(base) ? `${base}/webhooks` : `${base}/v1/webhooks`;
  const events = [...(options.events ?? ['referral.created', 'referral.matched'])];
  let status: number;
  let text: string;
  try {
    const response = await request(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ url: options.url, events }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    status = response.statusCode;
    text = await response.body.text();
  } catch (error) {
    throw new CaraloomError('API_UNREACHABLE', `cannot reach ${endpoint}: ${describeError(error)}`, { retryable: true, status: 502 });
  }
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // reported below with the status
  }
  if (status < 200 || status >= 300) {
    const error = (body.error ?? {}) as { code?: string; message?: string };
    throw new CaraloomError('REGISTER_FAILED', `the API refused the registration: HTTP ${status}${error.message ? ` ${error.code ?? ''} ${error.message}` : ''}`, { status: 502, details: { status } });
  }
  const data = (body.data ?? body) as Record<string, unknown>;
  if (typeof data.secret !== 'string' || typeof data.id !== 'string') {
    throw new CaraloomError('REGISTER_FAILED', 'the API answered without a webhook id and secret', { status: 502 });
  }
  return { id: data.id, secret: data.secret, url: typeof data.url === 'string' ? data.url : options.url, events: Array.isArray(data.events) ? (data.events as string[]) : events };
}
