/**
 * Scenario 4, relay: N signed webhooks from 8 concurrent senders to (a) a
 * bare koa handler that verifies and answers, storing nothing, and (b) the
 * relay (child process, SQLite synchronous=FULL) fanning out to 3 HTTP
 * subscribers; fan-out completion = until every subscriber has every event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChild } from '../lib/child.js';
import { cpuPer, processCpuMs, type CpuMs } from '../lib/cpu.js';
import { percentile } from '../lib/stats.js';
import { checkSubscriber, startSubscriber, type Subscriber } from '../lib/subscriber.js';
import { sendWebhooks, webhookEvent } from '../lib/webhooks.js';

export interface RelayRow {
  server: string;
  events: number;
  accepted: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Deliveries/s until every subscriber had every event (relay only). */
  fanOutPerSecond?: number;
  fanOutSeconds?: number;
  lost?: number;
  /**
   * CPU the server process used per accepted event (user + system; the relay's counts intake and fan-out together),
   * all threads and the event loop alone: steadier than rates on a shared machine.
   */
  cpuMs?: CpuMs;
}

const secret = 'whsec_bench_0123456789abcdef';

export async function waitFor(check: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > until) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}

export async function relayScenario(count: number, seconds: number, log: (line: string) => void): Promise<RelayRow[]> {
  const rows: RelayRow[] = [];
  const senders = 8;
  const row = (server: string, result: Awaited<ReturnType<typeof sendWebhooks>>): RelayRow => {
    const accepted = result.status.filter((s) => s >= 200 && s < 300).length;
    return { server, events: result.status.filter((s) => s !== -1).length, accepted, perSecond: (accepted / result.elapsedMs) * 1000, p50Ms: percentile(result.latencyMs, 50), p99Ms: percentile(result.latencyMs, 99) };
  };

  const koa = await startChild<{ url: string; pid: number }>('koa-verify', { secret });
  try {
    await sendWebhooks({ url: `${koa.info.url}/webhooks/caraloom`, secret, bodies: Array.from({ length: 300 }, (_, n) => webhookEvent('warm', n)), senders });
    const before = processCpuMs(koa.info.pid);
    const result = await sendWebhooks({ url: `${koa.info.url}/webhooks/caraloom`, secret, bodies: Array.from({ length: count }, (_, n) => webhookEvent('koa', n)), senders, durationMs: seconds * 1000 });
    const bare = row('(a) koa verify only', result);
    bare.cpuMs = cpuPer(before, processCpuMs(koa.info.pid), bare.accepted);
    rows.push(bare);
  } finally {
    await koa.stop();
  }
  log(`  (a) koa verify only: ${Math.round(rows[0]!.perSecond)}/s`);

  const subs: Subscriber[] = await Promise.all([startSubscriber(), startSubscriber(), startSubscriber()]);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'caraloom-bench-relay-'));
  // BENCH_RELAY_PROFILE=<folder>: the relay child writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_RELAY_PROFILE;
  const relay = await startChild<{ url: string; pid: number }>(
    'relay',
    { dataDir, relay: { secrets: [secret], breaker: { failures: 0 }, subscribers: subs.map((s, i) => ({ name: `sub${i}`, kind: 'http', url: s.url, concurrency: 8 })) } },
    { nodeArgs: profile === undefined || profile === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`] },
  );
  try {
    const url = `${relay.info.url}/webhooks/caraloom`;
    const bodies = Array.from({ length: count }, (_, n) => webhookEvent('relay', n));
    const start = performance.now();
    const cpuBefore = processCpuMs(relay.info.pid);
    const result = await sendWebhooks({ url, secret, bodies, senders, durationMs: seconds * 1000 });
    const r = row('(b) relay', result);
    const done = await waitFor(() => subs.every((s) => s.byEvent.size >= r.accepted), 40_000);
    r.cpuMs = cpuPer(cpuBefore, processCpuMs(relay.info.pid), r.accepted);
    const lastAt = Math.max(...subs.map((s) => Math.max(...[...s.byEvent.values()].map((e) => e.at))));
    r.fanOutSeconds = (lastAt - start) / 1000;
    r.fanOutPerSecond = (subs.reduce((sum, s) => sum + s.byEvent.size, 0) / (lastAt - start)) * 1000;
    const ids = bodies.map((_, n) => `evt_relay_${n}`).filter((_, i) => result.status[i]! >= 200 && result.status[i]! < 300);
    r.lost = subs.reduce((sum, s) => sum + checkSubscriber(s, ids).lost, 0);
    if (!done) log('  relay fan-out did not complete within 40 s');
    rows.push(r);
    log(`  (b) relay: ${Math.round(r.perSecond)}/s accepted, fan-out ${Math.round(r.fanOutPerSecond)}/s deliveries, complete after ${r.fanOutSeconds.toFixed(1)} s, relay CPU ${r.cpuMs?.all.toFixed(3) ?? '?'} ms per event (event loop ${r.cpuMs?.loop.toFixed(3) ?? '?'})`);
  } finally {
    await relay.stop();
    await Promise.all(subs.map((s) => s.close()));
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}
