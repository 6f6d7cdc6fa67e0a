/**
 * Encryption at rest on and off, side by side in one run (issue #13 §2): the
 * product's own figures, not the journal's alone —
 *   ingest: MLLP into a connector process, 8 connections, each waiting for
 *           its ACK (committed, synced, before AA);
 *   drain:  the same connector delivering those messages to a fast local
 *           sink, from the first ACK to the last delivery;
 *   relay:  signed webhooks into a relay process (8 senders) fanning out to
 *           3 subscribers.
 * "Encrypted" is the default install (`caraloom up` writes `data.key` into
 * the data folder; the services find it there). The two modes alternate,
 * twice each, so a warm-up or a neighbour's burst favours neither; the
 * figure is the mean of the two. Aim: encryption costs under 10 % of ingest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addKey } from '../../core/crypto/keys.js';
import { adtBatch } from '../lib/adt.js';
import { portOf, startChild } from '../lib/child.js';
import { startFarSide } from '../lib/far-side.js';
import { runLoad } from '../lib/mllp-load.js';
import { round } from '../lib/stats.js';
import { startSubscriber } from '../lib/subscriber.js';
import { sendWebhooks, webhookEvent } from '../lib/webhooks.js';

const secret = 'whsec_bench-encryption-0123456789';
type Mode = 'plain' | 'encrypted';

export interface EncryptionRow {
  mode: Mode;
  /** MLLP messages ACKed per second (8 connections). */
  ingest: number;
  /** Deliveries to the sink per second, first ACK to last delivery. */
  drain: number;
  /** Webhooks accepted by the relay per second (8 senders, 3 subscribers). */
  relay: number;
}

function dataDir(mode: Mode, name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `caraloom-bench-${name}-`));
  if (mode === 'encrypted') addKey(path.join(dir, 'data.key'));
  return dir;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`encryption bench: not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function connectorRun(mode: Mode, run: number, seconds: number): Promise<{ ingest: number; drain: number }> {
  const sink = await startFarSide();
  const dir = dataDir(mode, 'enc-connector');
  const child = await startChild<{ mllp: string }>('connector', { dataDir: dir, apiUrl: sink.url, apiKey: 'bench-key-0123456789' });
  try {
    const batch = adtBatch(40_000, { controlPrefix: `ENC${mode[0]}${run}-` });
    const started = performance.now();
    const result = await runLoad({ port: portOf(child.info.mllp), messages: batch.map((m) => m.text), connections: 8, durationMs: seconds * 1000 });
    const acked = result.codes.filter((code) => code === 'AA').length;
    // Every AA'd referable discharge reaches the sink (the others are ACKed and filtered).
    const expected = batch.filter((m, i) => m.referable && result.codes[i] === 'AA').length;
    await until(() => sink.committed.length >= expected, 120_000);
    const lastAt = sink.committed.at(-1)!.at;
    return { ingest: (acked / result.elapsedMs) * 1000, drain: (sink.committed.length / (lastAt - started)) * 1000 };
  } finally {
    await child.stop();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function relayRun(mode: Mode, run: number, seconds: number): Promise<number> {
  const subs = await Promise.all([startSubscriber(), startSubscriber(), startSubscriber()]);
  const dir = dataDir(mode, 'enc-relay');
  const relay = await startChild<{ url: string }>('relay', { dataDir: dir, relay: { secrets: [secret], breaker: { failures: 0 }, subscribers: subs.map((s, i) => ({ name: `sub${i}`, kind: 'http', url: s.url, concurrency: 8 })) } });
  try {
    const bodies = Array.from({ length: 40_000 }, (_, n) => webhookEvent(`enc${mode[0]}${run}`, n));
    const result = await sendWebhooks({ url: `${relay.info.url}/webhooks/caraloom`, secret, bodies, senders: 8, durationMs: seconds * 1000 });
    const accepted = result.status.filter((status) => status >= 200 && status < 300).length;
    return (accepted / result.elapsedMs) * 1000;
  } finally {
    await relay.stop();
    await Promise.all(subs.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function encryptionScenario(seconds: number, log: (line: string) => void): Promise<{ rows: EncryptionRow[]; ratio: { ingest: number; drain: number; relay: number } }> {
  const runs: EncryptionRow[] = [];
  // A discarded warm-up of each process first: the first child of a run pays for cold caches.
  await connectorRun('plain', 9, 2);
  await relayRun('plain', 9, 2);
  for (const [index, mode] of (['plain', 'encrypted', 'encrypted', 'plain'] as const).entries()) {
    const connector = await connectorRun(mode, index, seconds);
    const relay = await relayRun(mode, index, seconds);
    runs.push({ mode, ...connector, relay });
    log(`  ${mode.padEnd(9)} ingest ${Math.round(connector.ingest)}/s  drain ${Math.round(connector.drain)}/s  relay ${Math.round(relay)}/s`);
  }
  const mean = (mode: Mode, field: 'ingest' | 'drain' | 'relay') => runs.filter((row) => row.mode === mode).reduce((sum, row) => sum + row[field], 0) / 2;
  const rows = (['plain', 'encrypted'] as const).map((mode) => ({ mode, ingest: round(mean(mode, 'ingest')), drain: round(mean(mode, 'drain')), relay: round(mean(mode, 'relay')) }));
  const ratio = { ingest: round(rows[1]!.ingest / rows[0]!.ingest, 3), drain: round(rows[1]!.drain / rows[0]!.drain, 3), relay: round(rows[1]!.relay / rows[0]!.relay, 3) };
  log(`  encrypted / plain: ingest ${ratio.ingest} (aim ≥ 0.9), drain ${ratio.drain}, relay ${ratio.relay}`);
  return { rows, ratio };
}
