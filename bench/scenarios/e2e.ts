/**
 * Scenario 3, end to end: a fixed offered load of ADT^A03 over MLLP →
 * connector → sandbox (rate limits off) → signed webhook → relay → HTTP
 * subscriber, each service its own process. Latency = MLLP send of a message
 * → its `referral.created` event at the subscriber (matched by external_id).
 * The event's own timestamps split it into stages (wall clock, ms, one
 * machine): send → the sandbox created the referral (`data.created_at`:
 * connector ingest, journal, delivery, sandbox validation and matching),
 * → the sandbox made the event (`created_at`, after the store's durable write),
 * → the subscriber had it (sandbox journal, signed delivery, relay, fan-out).
 * BENCH_E2E_PROFILE=DIR runs the three services under `--cpu-prof` into DIR;
 * BENCH_E2E_DELIVERY=N sets the connector's deliveries in flight (default 8, the product's).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { adtBatch } from '../lib/adt.js';
import { portOf, startChild } from '../lib/child.js';
import { runLoad } from '../lib/mllp-load.js';
import { freePort } from '../lib/ports.js';
import { envInt, percentile } from '../lib/stats.js';
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
  /** p50 / p99 of each stage (see the file comment). */
  stages: Record<'toSandbox' | 'sandboxStore' | 'toSubscriber', { p50Ms: number; p99Ms: number }>;
}

interface Arrival {
  externalId: string;
  /** performance.now() when it arrived. */
  at: number;
  /** Wall-clock ms: the referral's `created_at`, the event's `created_at`, arrival. */
  referralCreated: number;
  eventCreated: number;
  arrivedWall: number;
}

/** The subscriber: first `referral.created` per external id, with the event's timestamps. */
async function startTimingSubscriber(): Promise<{ url: string; arrivals: Map<string, Arrival>; events: number; close(): Promise<void> }> {
  const state = { url: '', arrivals: new Map<string, Arrival>(), events: 0, close: async (): Promise<void> => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; created_at: string; data: { external_id?: string; created_at?: string } };
        state.events++;
        const externalId = body.data.external_id;
        if (body.type === 'referral.created' && externalId !== undefined && !state.arrivals.has(externalId)) {
          state.arrivals.set(externalId, { externalId, at, referralCreated: Date.parse(body.data.created_at ?? ''), eventCreated: Date.parse(body.created_at), arrivedWall: performance.timeOrigin + at });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}


export async function e2eScenario(rate: number, seconds: number, log: (line: string) => void): Promise<E2eRow> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'caraloom-bench-e2e-'));
  const dir = (name: string) => path.join(root, name);
  const profileDir = process.env.BENCH_E2E_PROFILE;
  const profile = (name: string) => {
    if (profileDir === undefined || profileDir === '') return {};
    const folder = path.resolve(profileDir, `${rate}`, name);
    mkdirSync(folder, { recursive: true });
    return { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', folder] };
  };
  const subscriber = await startTimingSubscriber();
  const sandbox = await startChild<{ url: string; key: string }>('sandbox', { dataDir: dir('sandbox'), sandbox: { webhooks: { concurrency: 8 }, maxReferrals: 1000 } }, { timeoutMs: 60_000, ...profile('sandbox') });
  const relayPort = await freePort();
  const registered = await request(`${sandbox.info.url}/v1/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sandbox.info.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${relayPort}/webhooks/caraloom`, events: ['referral.created'] }),
  });
  const secret = ((await registered.body.json()) as { data: { secret: string } }).data.secret;
  const relay = await startChild<{ url: string }>('relay', { dataDir: dir('relay'), relay: { port: relayPort, secrets: [secret], subscribers: [{ name: 'ehr', kind: 'http', url: subscriber.url, concurrency: 8 }] } }, profile('relay'));
  // The product's defaults (8 deliveries in flight over 8 connections); BENCH_E2E_DELIVERY=N tries another width.
  const width = envInt('BENCH_E2E_DELIVERY', 8);
  const connector = await startChild<{ mllp: string }>('connector', { dataDir: dir('connector'), apiUrl: sandbox.info.url, apiKey: sandbox.info.key, connector: { delivery: { concurrency: width }, api: { connections: width } } }, profile('connector'));
  try {
    // The sandbox pinged the relay before it listened; its retry (5 s) must land first or it holds later events back.
    await waitFor(() => subscriber.events >= 1, 20_000, 50);
    const messages = adtBatch(Math.round(rate * seconds), { controlPrefix: 'E' });
    const sentAt = new Map<string, number>();
    const load = await runLoad({ port: portOf(connector.info.mllp), messages: messages.map((m) => m.text), connections: 4, ratePerSecond: rate, onSent: (i, at) => sentAt.set(`${messages[i]!.facility}:${messages[i]!.controlId}`, at) });
    const expected = messages.filter((m, i) => m.referable && load.codes[i] === 'AA').map((m) => `${m.facility}:${m.controlId}`);
    const want = new Set(expected);
    const arrivedCount = () => [...subscriber.arrivals.values()].filter((e) => want.has(e.externalId)).length;
    await waitFor(() => arrivedCount() >= expected.length, 15_000, 50);
    const arrivals = [...subscriber.arrivals.values()].filter((e) => want.has(e.externalId));
    const latencies = arrivals.map((e) => e.at - sentAt.get(e.externalId)!);
    const stage = (values: number[]) => ({ p50Ms: percentile(values, 50), p99Ms: percentile(values, 99) });
    const sentWall = (e: Arrival) => performance.timeOrigin + sentAt.get(e.externalId)!;
    const stages = {
      toSandbox: stage(arrivals.map((e) => e.referralCreated - sentWall(e))),
      sandboxStore: stage(arrivals.map((e) => e.eventCreated - e.referralCreated)),
      toSubscriber: stage(arrivals.map((e) => e.arrivedWall - e.eventCreated)),
    };
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
      stages,
    };
    const split = Object.entries(stages).map(([name, s]) => `${name} ${s.p50Ms.toFixed(0)}/${s.p99Ms.toFixed(0)}`).join(', ');
    log(`  e2e ${rate}/s × ${seconds} s: ${row.arrived}/${row.referable} arrived, p50 ${row.p50Ms.toFixed(1)} ms, p99 ${row.p99Ms.toFixed(1)} ms, ACK p99 ${row.ackP99Ms.toFixed(1)} ms; stages p50/p99 ms: ${split}`);
    return row;
  } finally {
    await connector.stop();
    await relay.stop();
    await sandbox.stop();
    await subscriber.close();
    rmSync(root, { recursive: true, force: true });
  }
}
