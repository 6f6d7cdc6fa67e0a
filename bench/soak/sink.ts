/**
 * The soak's Discharge API stand-in: answers every referral 201 at once and
 * keeps only what a million messages can afford — a count, the distinct
 * idempotency keys (to count repeats) and arrivals per second — unlike
 * bench/lib/far-side.ts, which keeps every answer for replays.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Sink {
  url: string;
  /** Distinct idempotency keys answered 201. */
  readonly arrived: number;
  /** Requests whose key had arrived before (the connector sent it again). */
  readonly repeats: number;
  /** Distinct arrivals so far at a time (performance.now()): the drain rate of a window. */
  arrivedBy(at: number): number;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const keys = new Set<string>();
  let repeats = 0;
  let nextId = 1;
  // Cumulative distinct arrivals at the end of each 100 ms since start.
  const started = performance.now();
  const ticks: number[] = [];
  const tick = (at: number) => Math.max(0, Math.floor((at - started) / 100));
  const record = (at: number) => {
    const index = tick(at);
    while (ticks.length <= index) ticks.push(ticks.at(-1) ?? 0);
    ticks[index] = keys.size;
  };
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    req.on('data', () => undefined);
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '');
      if (keys.has(key)) repeats++;
      else keys.add(key);
      record(performance.now());
      res.writeHead(201, { 'content-type': 'application/json' }).end(`{"data":{"id":"ref_${nextId++}","status":"pending","matches":[]}}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get arrived() {
      return keys.size;
    },
    get repeats() {
      return repeats;
    },
    arrivedBy(at) {
      const index = Math.min(tick(at), ticks.length - 1);
      return index < 0 ? 0 : ticks[index]!;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
