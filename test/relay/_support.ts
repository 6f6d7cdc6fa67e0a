import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { request } from 'undici';
import type { Clock } from '../../core/clock.js';
import type { StoreConfig } from '../../core/config/store.js';
import { silentLogger } from '../../core/logger.js';
import { signCaraloom, signStandard } from '../../core/signature.js';
import { relayConfigSchema } from '../../relay/config.js';
import { createRelay, type Relay } from '../../relay/service.js';
import { tempDir } from '../helpers/temp.js';

/** A sample event file from test/relay/_samples, as exact bytes and parsed. */
export function sampleEvent(name = 'referral-matched.json'): { raw: string; event: Record<string, unknown> & { id: string; type: string; data: Record<string, unknown> } } {
  const raw = readFileSync(path.resolve('test/relay/_samples', name), 'utf8').trim();
  return { raw, event: JSON.parse(raw) };
}

/** The sample with another id (and referral id), serialised. */
export function eventBody(id: string, overrides: { referral?: string; type?: string } = {}): string {
  const { event } = sampleEvent();
  return JSON.stringify({ ...event, id, type: overrides.type ?? event.type, data: { ...event.data, id: overrides.referral ?? event.data.id } });
}

export const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export interface StartedRelay {
  relay: Relay;
  url: string;
  dataDir: string;
  post(body: string, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Post signed the way the API signs (both header shapes), at `nowMs`. */
  send(body: string, options?: { secret?: string; nowMs?: number }): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** Start a relay on port 0 with a temporary SQLite journal; stopped when the test ends. */
export async function startRelay(t: ExecutionContext, relay: Record<string, unknown>, options: { clock?: Clock; env?: NodeJS.ProcessEnv; dataDir?: string; store?: StoreConfig } = {}): Promise<StartedRelay> {
  const dataDir = options.dataDir ?? tempDir(t, 'relay-');
  const config = relayConfigSchema.parse({ port: 0, secrets: [secret], ...relay });
  const service = createRelay({ config, store: options.store ?? { kind: 'sqlite', synchronous: 'normal' }, dataDir, logger: silentLogger(), clock: options.clock, env: options.env ?? {}, random: () => 0.5, syncIntervalMs: 100 });
  const [listener] = await service.start();
  t.teardown(() => service.stop());
  const url = `${listener!.url}${config.path}`;
  const post = async (body: string, headers: Record<string, string> = {}) => {
    const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  };
  return {
    relay: service,
    url: listener!.url,
    dataDir,
    post,
    send: (body, send = {}) => {
      const key = send.secret ?? secret;
      const seconds = Math.floor((send.nowMs ?? options.clock?.now() ?? Date.now()) / 1000);
      const id = (JSON.parse(body) as { id: string }).id;
      return post(body, {
        'x-caraloom-signature': signCaraloom(key, body),
        'webhook-id': id,
        'webhook-timestamp': String(seconds),
        'webhook-signature': signStandard(key, id, seconds, body),
      });
    },
  };
}

export interface Captured {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A subscriber endpoint on port 0 that records what it receives and answers
 * with `respond` (default 200).
 */
export async function startSubscriber(t: ExecutionContext, respond: (captured: Captured, index: number) => { status: number; headers?: Record<string, string>; body?: string } = () => ({ status: 200 })) {
  const received: Captured[] = [];
  const all: Captured[] = [];
  let calls = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const captured = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      all.push(captured);
      const answer = respond(captured, calls++);
      if (answer.status >= 200 && answer.status < 300) received.push(captured);
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, all, calls: () => calls };
}

export { eventually as until } from '../helpers/eventually.js';
