/**
 * A small real HTTP server standing in for the Discharge API: it answers
 * `POST /v1/discharge-referrals` (and FHIR ServiceRequest) with 201, honours
 * `Idempotency-Key` like the API (a repeated key gets the first answer and
 * `Idempotent-Replayed: true`), and records what it committed, in order. With
 * `faults` it answers a share of requests 5xx, lets some time out, and sends
 * bursts of 429 with Retry-After — the API's bad days, on demand.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { prng } from './adt.js';

export interface FarSideFaults {
  /** Share of requests answered 503 (not committed). @default 0 */
  error5xx?: number;
  /** Share of requests never answered (not committed; the client times out). @default 0 */
  timeout?: number;
  /** Every this many requests a burst of 429s starts. 0 never. @default 0 */
  burstEvery?: number;
  /** Requests in each 429 burst. @default 20 */
  burstLength?: number;
  /** Retry-After of a 429, in seconds. @default 1 */
  retryAfterSeconds?: number;
  /** @default 7 */
  seed?: number;
  /** Listen on this port (e.g. one a connector was pointed at while it was closed). @default 0 */
  port?: number;
}

export interface Committed {
  key: string;
  /** The referral's external_id (facility:MSH-10). */
  externalId: string;
  /** The referral's patient id (the order key). */
  patient: string;
  at: number;
}

export interface FarSide {
  url: string;
  /** Each committed key once, in commit order. */
  committed: Committed[];
  /** Requests per idempotency key (retries and replays included). */
  attempts: Map<string, number>;
  /** Keys that arrived again after they had been committed (answered from the idempotency cache). */
  replays: number;
  injected: { error5xx: number; timeout: number; rate429: number };
  requests: number;
  /** Called on each new commit. */
  onCommit?: (entry: Committed) => void;
  close(): Promise<void>;
}

export async function startFarSide(faults: FarSideFaults = {}): Promise<FarSide> {
  const random = prng(faults.seed ?? 7);
  const answers = new Map<string, string>();
  const held = new Set<http.ServerResponse>();
  let burstLeft = 0;
  let nextId = 1;
  const side: FarSide = { url: '', committed: [], attempts: new Map(), replays: 0, injected: { error5xx: 0, timeout: 0, rate429: 0 }, requests: 0, close: async () => undefined };

  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      side.requests++;
      const key = String(req.headers['idempotency-key'] ?? '');
      side.attempts.set(key, (side.attempts.get(key) ?? 0) + 1);
      const known = answers.get(key);
      if (known !== undefined) {
        side.replays++;
        res.writeHead(201, { 'content-type': 'application/json', 'idempotent-replayed': 'true' }).end(known);
        return;
      }
      if (faults.burstEvery && side.requests % faults.burstEvery === 0) burstLeft = faults.burstLength ?? 20;
      if (burstLeft > 0) {
        burstLeft--;
        side.injected.rate429++;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(faults.retryAfterSeconds ?? 1) }).end('{"error":{"code":"RATE_LIMITED"}}');
        return;
      }
      const roll = random();
      if (roll < (faults.timeout ?? 0)) {
        side.injected.timeout++;
        held.add(res);
        res.once('close', () => held.delete(res));
        return;
      }
      if (roll < (faults.timeout ?? 0) + (faults.error5xx ?? 0)) {
        side.injected.error5xx++;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"UNAVAILABLE"}}');
        return;
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        res.writeHead(400).end('{"error":{"code":"BAD_JSON"}}');
        return;
      }
      const patient = (body.patient as { id?: string } | undefined)?.id ?? '';
      const entry: Committed = { key, externalId: String(body.external_id ?? ''), patient, at: performance.now() };
      const answer = JSON.stringify({ data: { id: `ref_${nextId++}`, status: 'pending', matches: [] } });
      answers.set(key, answer);
      side.committed.push(entry);
      side.onCommit?.(entry);
      res.writeHead(201, { 'content-type': 'application/json' }).end(answer);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(faults.port ?? 0, '127.0.0.1', resolve));
  side.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  side.close = () =>
    new Promise((resolve) => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return side;
}
