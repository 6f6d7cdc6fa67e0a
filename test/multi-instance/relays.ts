import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { request } from 'undici';
import { signCaraloom } from '../../core/signature.js';
import { startInstance } from '../helpers/instance-process.js';
import { freshSchema, testDatabaseUrl } from '../helpers/postgres.js';
import { eventually, settled } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';

const events = Number(process.env.CARALOOM_MULTI_EVENTS ?? 300);
const secret = 'whsec_multi_instance_test_secret_0001';
/** The children's lease for an HTTP subscriber: its timeout (2 s) + 5 s. */
const leaseMs = 7_000;

/** The subscriber: answers 200 after a short pause (so deliveries are in flight when a relay dies) and records each request. */
async function startSubscriber(t: ExecutionContext): Promise<{ url: string; received: Array<{ delivery: string; eventId: string }> }> {
  const received: Array<{ delivery: string; eventId: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ delivery: String(req.headers['webhook-id']), eventId: (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }).id });
      setTimeout(() => res.writeHead(200).end(), 3);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received };
}

const body = (n: number) => JSON.stringify({ id: `evt_multi_${n}`, type: 'referral.matched', created_at: new Date().toISOString(), data: { id: `ref_${n % 17}`, status: 'matched' } });

test('two relays on one database, one killed mid-run: every accepted event delivered once per subscriber, in order', async (t) => {
  const subscriber = await startSubscriber(t);
  const schema = freshSchema(t);
  const relay = { port: 0, secrets: [secret], subscribers: [{ name: 'ehr', kind: 'http', url: subscriber.url, ordering: 'subscriber', timeout: '2s' }] };
  const start = () => startInstance<{ url: string }>(t, 'relay-instance.ts', { databaseUrl: testDatabaseUrl, schema, dataDir: tempDir(t), relay });
  const instances = [await start(), await start()];
  const [victim, survivor] = instances as [(typeof instances)[0], (typeof instances)[0]];
  const alive = [true, true];
  const accepted: string[] = [];

  // The API sends one event at a time, alternating between the relays (a load
  // balancer); when a relay does not answer 200 it sends the event again, to the other.
  for (let n = 0; n < events; n += 1) {
    const raw = body(n);
    for (let target = n % 2, tries = 0; ; target = 1 - target, tries += 1) {
      if (!alive[target]) continue;
      if (tries > 20) throw new Error('no relay answers');
      const status = await request(`${instances[target]!.info.url}/webhooks/caraloom`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-caraloom-signature': signCaraloom(secret, raw) }, body: raw })
        .then(async (response) => (await response.body.dump(), response.statusCode))
        .catch(() => 0);
      if (status === 200) break;
    }
    accepted.push(`evt_multi_${n}`);
    if (n === Math.floor(events * 0.4)) {
      await victim.kill();
      alive[0] = false;
    }
  }

  const distinct = () => new Set(subscriber.received.map((got) => got.eventId)).size;
  const beforeTakeover = await settled(distinct);
  await survivor.advance(leaseMs + 1_000);
  await eventually(() => distinct() >= accepted.length, { timeoutMs: 30_000, what: 'every accepted event delivered after the takeover' });

  // First arrival of each event, in arrival order; a repeat (the killed relay
  // delivered but could not record it) must carry the same delivery id.
  const first = new Map<string, string>();
  for (const got of subscriber.received) if (!first.has(got.eventId)) first.set(got.eventId, got.delivery);
  const repeats = subscriber.received.length - first.size;
  t.log(`${events} events; ${accepted.length - beforeTakeover} waited for the killed relay's lease; ${repeats} repeated deliveries`);
  t.deepEqual([...first.keys()], accepted, 'every accepted event once, in the order the relays accepted them');
  t.true(subscriber.received.every((got) => got.delivery === first.get(got.eventId)), 'a repeat carries the same delivery id');
});
