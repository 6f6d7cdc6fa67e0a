import { request, type Dispatcher } from 'undici';
import { CaraloomError, describeError } from '../core/errors.js';
import type { ConsoleTarget } from './config.js';

/**
 * The console's only way to the journal: a connector's or relay's admin API,
 * by URL and bearer token. It holds no journal of its own, so it works with a
 * relay in a DMZ and with several instances on one PostgreSQL database.
 */
export class AdminUnavailableError extends CaraloomError {
  constructor(target: string, cause?: unknown) {
    super('ADMIN_UNAVAILABLE', `${target} admin API is not reachable`, { status: 502, expose: true, retryable: true, cause });
  }
}

export interface AdminAnswer<T> {
  status: number;
  body: T;
}

export interface AdminClient {
  readonly name: string;
  readonly url: string;
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<AdminAnswer<T>>;
  post<T>(path: string, query?: Record<string, string | number | undefined>, body?: AdminBody): Promise<AdminAnswer<T>>;
}

/** A request body the console forwards (the playground's pasted message). */
export interface AdminBody {
  type: string;
  data: Buffer;
}

export function queryString(query: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function createAdminClient(target: ConsoleTarget, timeoutMs: number): AdminClient {
  const base = target.url.replace(/\/+$/, '');
  async function call<T>(method: 'GET' | 'POST', path: string, query?: Record<string, string | number | undefined>, body?: AdminBody): Promise<AdminAnswer<T>> {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(`${base}${path}${queryString(query)}`, {
        method,
        headers: { authorization: `Bearer ${target.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': body.type }) },
        body: body?.data,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (error) {
      throw new AdminUnavailableError(target.name, error);
    }
    const text = await response.body.text();
    let answer: unknown;
    try {
      answer = text === '' ? {} : JSON.parse(text);
    } catch (error) {
      throw new AdminUnavailableError(target.name, new Error(`answered ${response.statusCode} with no JSON: ${describeError(error)}`));
    }
    if (response.statusCode === 401 || response.statusCode === 403) throw new CaraloomError('ADMIN_REFUSED', `${target.name} admin API refused the console's token (${response.statusCode})`, { status: 502, expose: true });
    return { status: response.statusCode, body: answer as T };
  }
  return {
    name: target.name,
    url: base,
    get: (path, query) => call('GET', path, query),
    post: (path, query, body) => call('POST', path, query, body),
  };
}
