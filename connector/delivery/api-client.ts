/**
 * The Discharge API as the connector sees it: POST a JSON body or GET a
 * resource, read the answer. One undici keep-alive Pool per API origin for
 * every call the connector makes (deliveries, the FHIR door's reads, health),
 * with the configured timeouts; answers come back as data (status, headers,
 * bounded text), never thrown. Network failures and timeouts throw undici's
 * coded errors (`UND_ERR_CONNECT_TIMEOUT`…): callers retry or report them.
 */
import { Pool } from 'undici';

export interface ApiClientOptions {
  /** Base URL, e.g. `https://caraloom.com/api` (its path is kept as a prefix). */
  url: string;
  key: string | undefined;
  /** Per-request limit for headers and body. @default 15000 */
  timeoutMs?: number;
  /** Keep-alive connections. @default 8 */
  connections?: number;
}

export interface ApiAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text, cut at 64 KiB. */
  text: string;
  /** Parsed JSON when the body was JSON. */
  json: unknown;
}

export interface ApiClient {
  post(path: string, body: unknown, headers: Record<string, string>): Promise<ApiAnswer>;
  /** GET a path under the base URL (e.g. `/v1/fhir/ServiceRequest/{id}`). */
  get(path: string, headers?: Record<string, string>): Promise<ApiAnswer>;
  /** The absolute URL of a path under the base URL, for `Location` headers. */
  urlOf(path: string): string;
  /** GET `/v1/health`: true when the API answers 2xx. */
  healthy(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

const MAX_ANSWER = 64 * 1024;

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = new URL(options.url);
  const prefix = base.pathname.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;
  // Keep-alive: a hospital sends discharges all day; reusing connections saves a TLS handshake each.
  const pool = new Pool(base.origin, { connections: options.connections ?? 8, keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 10_000) });
  const auth: Record<string, string> = options.key === undefined ? {} : { authorization: `Bearer ${options.key}` };

  async function read(body: AsyncIterable<Buffer>): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      if (size < MAX_ANSWER) chunks.push(chunk);
      size += chunk.length;
    }
    return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER);
  }

  async function call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<ApiAnswer> {
    const response = await pool.request({ method, path: `${prefix}${path}`, headers: { ...auth, accept: 'application/json, application/fhir+json', ...headers }, body });
    const text = await read(response.body);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, text, json };
  }

  return {
    post: (path, body, headers) => call('POST', path, headers, JSON.stringify(body)),
    get: (path, headers = {}) => call('GET', path, headers),
    urlOf: (path) => `${base.origin}${prefix}${path}`,
    async healthy(limitMs = 3_000) {
      try {
        const response = await pool.request({ method: 'GET', path: `${prefix}/v1/health`, headers: { accept: 'application/json' }, headersTimeout: limitMs, bodyTimeout: limitMs });
        await response.body.dump();
        return response.statusCode >= 200 && response.statusCode < 300;
      } catch {
        return false;
      }
    },
    async close() {
      await pool.close();
    },
  };
}

/** True for a key the sandbox issued: such a key must never receive patient identifiers. */
export function isSandboxKey(key: string | undefined): boolean {
  return key?.startsWith('clk_sandbox_') ?? false;
}
