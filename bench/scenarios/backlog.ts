/**
 * Scenario 2, backlog: the API is unreachable (the connector points at a
 * closed port) while messages are accepted; ACK p99 of the last tenth vs the
 * first tenth (10,000 each at the full 100,000) and the connector's peak RSS.
 * Then the API comes back on that port — first a fast local sink, then (a
 * second, smaller backlog) the sandbox — and the drain rate is measured.
 *
 * Idle RSS (#16 aim 3) is the lowest over BENCH_IDLE_SECONDS (default 60)
 * without traffic (V8 gives back the young generation start-up grew only
 * after 20–50 s of quiet), beside the RSS right at start,
 * for the bench's connector (FHIR mappings on) and for one without FHIR
 * mappings. The default run stops accepting at BENCH_BACKLOG_SECONDS; the
 * full mode (`--full` or BENCH_BACKLOG_FULL=1) accepts every one of the
 * BENCH_BACKLOG messages (100,000) with no time cap and drains for up to 5 min.
 * The connectors start with production's Node flags (bench/lib/child.ts;
 * BENCH_NODE_ARGS measures another launch setting).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adtBatch } from '../lib/adt.js';
import { portOf, startChild, type Child } from '../lib/child.js';
import { startFarSide } from '../lib/far-side.js';
import { runLoad } from '../lib/mllp-load.js';
import { freePort } from '../lib/ports.js';
import { memoryOf, percentile } from '../lib/stats.js';
import { waitFor } from './relay.js';

export interface BacklogRow {
  accepted: number;
  acceptSeconds: number;
  acceptPerSecond: number;
  /** Size of the first / last slices compared. */
  sliceSize: number;
  firstP99Ms: number;
  lastP99Ms: number;
  /** RSS right after start-up (Node + modules + what start-up left in the young generation). */
  startRssMb: number;
  /** Lowest RSS over `idleSeconds` without traffic: the bench's connector (FHIR mappings on). */
  idleRssMb: number;
  /** The same for a connector without FHIR mappings (HL7 v2 only). */
  idleNoFhirRssMb: number;
  idleSeconds: number;
  /** Every message accepted with no time cap (`--full`). */
  full: boolean;
  /** Highest RSS while the backlog was accepted (API unreachable): what the queue itself costs. */
  acceptPeakRssMb: number;
  /** Highest RSS over the whole run, the drain to the sink included. */
  peakRssMb: number;
  drainSinkItems: number;
  drainSinkPerSecond: number;
  drainSandboxItems: number;
  drainSandboxPerSecond: number;
}

const adminToken = 'bench-admin-token-0123456789';
/**
 * With the default schedule a failed item waits 5 s, then 5 min, 30 min… so
 * a drain after an outage spreads over the next retry times. To measure the
 * drain itself within the run, items park as dead letters after their one
 * attempt (empty schedule) and the operator's replay-dead puts them all due
 * at once when the API is back.
 */
const parkAndReplay = { delivery: { retrySchedule: [], concurrency: 16 }, api: { connections: 16, timeoutMs: 5000 }, admin: { tokens: [adminToken] } };

/** `POST /admin/messages/replay-dead` (not awaited: replaying runs while deliveries flow). */
function replayDead(httpUrl: string): Promise<unknown> {
  return fetch(`${httpUrl}/admin/messages/replay-dead`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } }).then((r) => r.text(), () => undefined);
}

async function accept(child: Child<{ mllp: string; http: string }>, count: number, seconds: number, prefix: string) {
  const messages = adtBatch(count, { controlPrefix: prefix });
  const load = await runLoad({ port: portOf(child.info.mllp), messages: messages.map((m) => m.text), connections: 4, durationMs: seconds * 1000 });
  const referable = messages.filter((m, i) => m.referable && load.codes[i] === 'AA').length;
  return { load, referable };
}

/** The full mode: every message of the backlog, no accept time cap. */
export const backlogFull = (): boolean => process.argv.includes('--full') || process.env.BENCH_BACKLOG_FULL === '1';

const repo = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** A mappings folder with the shipped HL7 v2 mappings and no `fhir/`: a connector without the FHIR door. */
function hl7OnlyMappings(root: string): string {
  const dir = path.join(root, 'hl7-mappings');
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(path.join(repo, 'mappings')).filter((name) => name.endsWith('.yaml'))) copyFileSync(path.join(repo, 'mappings', file), path.join(dir, file));
  return dir;
}

/**
 * The lowest RSS over `seconds` without traffic (one sample a second): the
 * level V8 settles at once its memory reducer has given back the young
 * generation start-up grew — 20 to 50 s after start here, sometimes later.
 */
async function idleRss(pid: number, seconds: number): Promise<number> {
  let rss = (await memoryOf(pid)).rssMb;
  for (let s = 0; s < seconds; s += 1) {
    await new Promise((r) => setTimeout(r, 1000));
    rss = Math.min(rss, (await memoryOf(pid)).rssMb);
  }
  return rss;
}

export async function backlogScenario(count: number, acceptSeconds: number, drainSeconds: number, log: (line: string) => void): Promise<BacklogRow> {
  const full = backlogFull();
  if (full) {
    acceptSeconds = 0;
    drainSeconds = Math.max(drainSeconds, 300);
  }
  const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
  const root = mkdtempSync(path.join(os.tmpdir(), 'caraloom-bench-backlog-'));
  const apiPort = await freePort();
  const child = await startChild<{ mllp: string; http: string }>('connector', { dataDir: path.join(root, 'c1'), apiUrl: `http://127.0.0.1:${apiPort}`, apiKey: 'bench-key-0123456789', connector: parkAndReplay });
  let peak = 0;
  let row: BacklogRow;
  const startRssMb = (await memoryOf(child.proc.pid!)).rssMb;
  // Both idle at once (neither uses CPU): the bench's connector and one without FHIR mappings.
  const noFhir = await startChild<{ mllp: string; http: string }>('connector', { dataDir: path.join(root, 'c0'), apiUrl: `http://127.0.0.1:${apiPort}`, apiKey: 'bench-key-0123456789', connector: { ...parkAndReplay, mappings: hl7OnlyMappings(root) } });
  const [idleRssMb, idleNoFhirRssMb] = await Promise.all([idleRss(child.proc.pid!, idleSeconds), idleRss(noFhir.proc.pid!, idleSeconds)]);
  await noFhir.kill();
  log(`  idle RSS (lowest over ${idleSeconds} s): ${idleRssMb.toFixed(0)} MB (FHIR mappings on; ${startRssMb.toFixed(0)} MB at start), ${idleNoFhirRssMb.toFixed(0)} MB without FHIR mappings`);
  const sampler = setInterval(() => void memoryOf(child.proc.pid!).then((m) => (peak = Math.max(peak, m.peakMb)), () => undefined), 500);
  try {
    const { load, referable } = await accept(child, count, acceptSeconds, 'K');
    const latencies = Array.from(load.latencyMs).filter((v) => Number.isFinite(v));
    const slice = Math.max(1, Math.min(10_000, Math.floor(latencies.length / 10)));
    peak = Math.max(peak, (await memoryOf(child.proc.pid!)).peakMb);
    row = {
      accepted: load.sent,
      acceptSeconds: load.elapsedMs / 1000,
      acceptPerSecond: (load.sent / load.elapsedMs) * 1000,
      sliceSize: slice,
      firstP99Ms: percentile(latencies.slice(0, slice), 99),
      lastP99Ms: percentile(latencies.slice(-slice), 99),
      startRssMb,
      idleRssMb,
      idleNoFhirRssMb,
      idleSeconds,
      full,
      acceptPeakRssMb: peak,
      peakRssMb: 0,
      drainSinkItems: referable,
      drainSinkPerSecond: Number.NaN,
      drainSandboxItems: 0,
      drainSandboxPerSecond: Number.NaN,
    };
    log(`  backlog: ${row.accepted} accepted in ${row.acceptSeconds.toFixed(1)} s, ACK p99 first ${row.sliceSize} ${row.firstP99Ms.toFixed(1)} ms, last ${row.lastP99Ms.toFixed(1)} ms; peak RSS so far ${row.acceptPeakRssMb.toFixed(0)} MB`);
    const sink = await startFarSide({ port: apiPort });
    const start = performance.now();
    const replayed = replayDead(child.info.http);
    await waitFor(() => sink.committed.length >= referable, drainSeconds * 1000, 20);
    const last = sink.committed.at(-1)?.at ?? performance.now();
    row.drainSinkItems = sink.committed.length;
    row.drainSinkPerSecond = (sink.committed.length / Math.max(1, last - start)) * 1000;
    row.peakRssMb = Math.max(peak, (await memoryOf(child.proc.pid!)).peakMb);
    log(`  drain to sink: ${row.drainSinkItems}/${referable} in ${((last - start) / 1000).toFixed(1)} s = ${Math.round(row.drainSinkPerSecond)}/s; peak RSS ${row.peakRssMb.toFixed(0)} MB`);
    await replayed;
    await sink.close();
  } finally {
    clearInterval(sampler);
    await child.kill();
  }

  // The sandbox drain: a fresh backlog of a tenth the size against a stopped sandbox, then the sandbox starts.
  const sandboxPort = await freePort();
  const sandboxDir = path.join(root, 'sandbox');
  const sandboxArgs = { dataDir: sandboxDir, sandbox: { port: sandboxPort, maxReferrals: 1000 } };
  const first = await startChild<{ url: string; key: string }>('sandbox', sandboxArgs, { timeoutMs: 60_000 });
  await first.stop();
  const connector = await startChild<{ mllp: string; http: string }>('connector', { dataDir: path.join(root, 'c2'), apiUrl: first.info.url, apiKey: first.info.key, connector: parkAndReplay });
  try {
    const { referable } = await accept(connector, Math.max(100, Math.floor(count / 10)), full ? 0 : Math.max(5, acceptSeconds / 3), 'S');
    const sandbox = await startChild<{ url: string }>('sandbox', sandboxArgs, { timeoutMs: 60_000 });
    const start = performance.now();
    const replayed = replayDead(connector.info.http);
    let delivered = 0;
    const until = start + drainSeconds * 1000;
    while (delivered < referable && performance.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      delivered = await deliveredCount(connector.info.http);
    }
    row.drainSandboxItems = delivered;
    row.drainSandboxPerSecond = (delivered / (performance.now() - start)) * 1000;
    log(`  drain to sandbox: ${delivered}/${referable} = ${Math.round(row.drainSandboxPerSecond)}/s`);
    await replayed;
    await sandbox.stop();
    return row;
  } finally {
    await connector.kill();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Deliveries the connector counted as delivered, from its Prometheus `/metrics`. */
export async function deliveredCount(httpUrl: string): Promise<number> {
  try {
    const text = await (await fetch(`${httpUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('caraloom_connector_deliveries_total{outcome="delivered"}'));
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  } catch {
    return 0;
  }
}
