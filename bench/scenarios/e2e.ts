/**
 * Scenario 3, end to end: a fixed offered load of ADT^A03 over MLLP →
 * connector → sandbox (rate limits off) → signed webhook → relay → HTTP
 * subscriber, each service its own process. Latency = MLLP send of a message
 * → its `referral.created` event at the subscriber (matched by external_id).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { adtBatch } from '../lib/adt.js';
import { portOf, startChild } from '../lib/child.js';
import { runLoad } from '../lib/mllp-load.js';
import { freePort } from '../lib/ports.js';
import { percentile } from '../lib/stats.js';
import { startSubscriber } from '../lib/subscriber.js';
import { waitFor } from './relay.js';

export interface E2eRow {
  offeredPerSecond: number;
  seconds: number;
  sent: number;
  referable: number;
  arrived: number;
  ackP99Ms: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}


export async function e2eScenario(rate: number, seconds: number, log: (line: string) => void): Promise<E2eRow> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'caraloom-bench-e2e-'));
  const dir = (name: string) => path.join(root, name);
  const subscriber = await startSubscriber();
  const sandbox = await startChild<{ url: string; key: string }>('sandbox', { dataDir: dir('sandbox'), sandbox: { webhooks: { concurrency: 8 }, maxReferrals: 1000 } }, { timeoutMs: 60_000 });
  const relayPort = await freePort();
  const registered = await request(`${sandbox.info.url}/v1/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sandbox.info.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${relayPort}/webhooks/caraloom`, events: ['referral.created'] }),
  });
  const secret = ((await registered.body.json()) as { data: { secret: string } }).data.secret;
  const relay = await startChild<{ url: string }>('relay', { dataDir: dir('relay'), relay: { port: relayPort, secrets: [secret], subscribers: [{ name: 'ehr', kind: 'http', url: subscriber.url, concurrency: 8 }] } });
  const connector = await startChild<{ mllp: string }>('connector', { dataDir: dir('connector'), apiUrl: sandbox.info.url, apiKey: sandbox.info.key, connector: { delivery: { concurrency: 8 } } });
  try {
    // The sandbox pinged the relay before it listened; its retry (5 s) must land first or it holds later events back.
    await waitFor(() => subscriber.byEvent.size >= 1, 20_000, 50);
    const messages = adtBatch(Math.round(rate * seconds), { controlPrefix: 'E' });
    const sentAt = new Map<string, number>();
    const load = await runLoad({ port: portOf(connector.info.mllp), messages: messages.map((m) => m.text), connections: 4, ratePerSecond: rate, onSent: (i, at) => sentAt.set(`${messages[i]!.facility}:${messages[i]!.controlId}`, at) });
    const expected = messages.filter((m, i) => m.referable && load.codes[i] === 'AA').map((m) => `${m.facility}:${m.controlId}`);
    const want = new Set(expected);
    const arrivedCount = () => [...subscriber.byEvent.values()].filter((e) => want.has(e.externalId)).length;
    await waitFor(() => arrivedCount() >= expected.length, 15_000, 50);
    const latencies = [...subscriber.byEvent.values()].filter((e) => want.has(e.externalId)).map((e) => e.at - sentAt.get(e.externalId)!);
    const row: E2eRow = {
      offeredPerSecond: rate,
      seconds,
      sent: load.sent,
      referable: expected.length,
      arrived: latencies.length,
      ackP99Ms: percentile(load.latencyMs, 99),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
    };
    log(`  e2e ${rate}/s × ${seconds} s: ${row.arrived}/${row.referable} arrived, p50 ${row.p50Ms.toFixed(1)} ms, p99 ${row.p99Ms.toFixed(1)} ms`);
    return row;
  } finally {
    await connector.stop();
    await relay.stop();
    await sandbox.stop();
    await subscriber.close();
    rmSync(root, { recursive: true, force: true });
  }
}
