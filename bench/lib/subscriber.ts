/**
 * A webhook subscriber for relay runs: a real HTTP server that records every
 * delivery it answered 2xx (event id, delivery id, sequence number from the
 * event's data) and can flap — answer 503 or drop the connection for a while.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  eventId: string;
  deliveryId: string;
  /** `data.seq` of the event. */
  seq: number;
  /** `data.referral_id`: the relay keeps order per referral. */
  referral: string;
  /** `data.external_id` (the connector's facility:MSH-10), when the event has one. */
  externalId: string;
  at: number;
}

export interface Subscriber {
  url: string;
  /** Deliveries answered 2xx, in order. */
  received: Received[];
  /** First 2xx per event id. */
  byEvent: Map<string, Received>;
  /** Answers that were not 2xx (flapping). */
  refused: number;
  /** While true, answer 503 (half the time) or destroy the socket. */
  down: boolean;
  /** Called for each new event id. */
  onEvent?: (entry: Received) => void;
  close(): Promise<void>;
}

export async function startSubscriber(): Promise<Subscriber> {
  const sub: Subscriber = { url: '', received: [], byEvent: new Map(), refused: 0, down: false, close: async () => undefined };
  let toggle = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (sub.down) {
        sub.refused++;
        if (toggle++ % 2 === 0) res.writeHead(503).end();
        else req.socket.destroy();
        return;
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; data: { seq?: number; referral_id?: string; external_id?: string } };
        const entry: Received = { eventId: body.id, deliveryId: String(req.headers['x-caraloom-delivery'] ?? ''), seq: body.data.seq ?? -1, referral: body.data.referral_id ?? '', externalId: body.data.external_id ?? '', at: performance.now() };
        sub.received.push(entry);
        if (!sub.byEvent.has(entry.eventId)) {
          sub.byEvent.set(entry.eventId, entry);
          sub.onEvent?.(entry);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  sub.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sub;
}

/** Lost (never 2xx'd), duplicated (2xx'd more than once: must carry the same delivery id) and out-of-order counts. */
export function checkSubscriber(sub: Subscriber, expected: readonly string[]): { lost: number; duplicates: number; foreignDuplicates: number; outOfOrder: number } {
  const lost = expected.filter((id) => !sub.byEvent.has(id)).length;
  const firstDelivery = new Map<string, string>();
  let duplicates = 0;
  let foreignDuplicates = 0;
  for (const entry of sub.received) {
    const first = firstDelivery.get(entry.eventId);
    if (first === undefined) firstDelivery.set(entry.eventId, entry.deliveryId);
    else {
      duplicates++;
      if (first !== entry.deliveryId) foreignDuplicates++;
    }
  }
  // Order: within one referral, first arrivals must follow event sequence.
  const lastSeq = new Map<string, number>();
  let outOfOrder = 0;
  for (const entry of sub.byEvent.values()) {
    const last = lastSeq.get(entry.referral) ?? -1;
    if (entry.seq < last) outOfOrder++;
    lastSeq.set(entry.referral, Math.max(last, entry.seq));
  }
  return { lost, duplicates, foreignDuplicates, outOfOrder };
}
