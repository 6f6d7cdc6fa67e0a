/**
 * Fault run: the connector (a child process) is SIGKILLed at random moments
 * while a far side that answers 20 % 5xx, 5 % timeouts and bursts of 429
 * receives its deliveries. Afterwards: every message that got AA and is a
 * referral was delivered exactly once (by idempotency key), in order per
 * patient; nothing that got AE/AR (or was filtered) was delivered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { dedupeKey, outboxQueue } from '../../connector/outbox.js';
import os from 'node:os';
import path from 'node:path';
import { adtBatch, prng } from '../lib/adt.js';
import { startChild, type Child } from '../lib/child.js';
import { startFarSide } from '../lib/far-side.js';
import { freePort } from '../lib/ports.js';
import { sendResilient } from './mllp-sender.js';

export interface FaultSummary {
  scenario: string;
  messages: number;
  kills: number;
  faultsInjected: Record<string, number>;
  /** Items that had to arrive (AA'd referrals / 2xx'd events × subscribers). */
  expected: number;
  /** Still queued (not yet due or being retried) when the drain time ran out: late, not lost. */
  pending: number;
  /** Must-arrive items neither delivered nor still queued. */
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** Delivered although it must not be (AE/AR'd or filtered; or a duplicate with a new delivery id). */
  wronglyDelivered: number;
  /** Re-sends the far side absorbed by Idempotency-Key / delivery id. */
  absorbedRepeats: number;
  seconds: number;
}

const seqOf = (externalId: string) => Number(/[A-Z](\d+)$/.exec(externalId)?.[1] ?? -1);

export interface ConnectorKillOptions {
  messages: number;
  kills: number;
  lanes?: number;
  /** Longest wait for deliveries to finish after the last ACK. @default 120000 */
  drainMs?: number;
  seed?: number;
  log?: (line: string) => void;
}

export async function connectorKillRun(options: ConnectorKillOptions): Promise<FaultSummary> {
  const began = performance.now();
  const log = options.log ?? (() => undefined);
  const random = prng(options.seed ?? 42);
  const root = mkdtempSync(path.join(os.tmpdir(), 'caraloom-faults-connector-'));
  const far = await startFarSide({ error5xx: 0.2, timeout: 0.05, burstEvery: 400, burstLength: 15, retryAfterSeconds: 1 });
  const port = await freePort();
  const args = {
    dataDir: root,
    apiUrl: far.url,
    apiKey: 'faults-key-0123456789',
    port,
    connector: { api: { timeoutMs: 1000 }, delivery: { concurrency: 8, retrySchedule: Array.from({ length: 25 }, (_, i) => (i < 3 ? 0.2 * (i + 1) : 1)), jitter: 0.2 } },
  };
  // Some messages must be refused: no diagnosis → AE (required field); an unknown version → AR.
  const batch = adtBatch(options.messages, { controlPrefix: 'K', patients: 300, seed: options.seed ?? 42 });
  const texts = batch.map((m, i) => (i % 50 === 7 ? m.text.split('\r').filter((s) => !s.startsWith('DG1')).join('\r') : i % 50 === 13 ? m.text.replace('|P|2.5.1', '|P|9.9') : m.text));
  let child: Child<{ mllp: string }> = await startChild('connector', args);
  let kills = 0;
  let answered = 0;
  const killAt = Array.from({ length: options.kills }, (_, k) => Math.floor(((k + 0.2 + 0.6 * random()) / options.kills) * options.messages * 0.9)).sort((a, b) => a - b);
  let killing: Promise<void> = Promise.resolve();
  const maybeKill = () => {
    if (kills >= killAt.length || answered < killAt[kills]!) return;
    kills++;
    const delay = Math.floor(random() * 150);
    killing = killing.then(async () => {
      await new Promise((r) => setTimeout(r, delay));
      await child.kill();
      log(`  SIGKILL ${kills} after ${answered} ACKs`);
      child = await startChild('connector', args);
    });
  };
  try {
    const sent = await sendResilient({ port, messages: texts, lanes: options.lanes ?? 4, laneOf: (i) => Number(batch[i]!.mrn.slice(3)), onAnswered: () => (answered++, maybeKill()) });
    await killing;
    const expected = new Set(batch.filter((m, i) => sent.codes[i] === 'AA' && m.referable && i % 50 !== 7 && i % 50 !== 13).map((m) => `${m.facility}:${m.controlId}`));
    const refused = new Set(batch.filter((m, i) => sent.codes[i] !== 'AA' || !m.referable).map((m) => `${m.facility}:${m.controlId}`));
    const committed = () => new Set(far.committed.map((c) => c.externalId));
    const until = performance.now() + (options.drainMs ?? 120_000);
    while (performance.now() < until && [...expected].some((id) => !committed().has(id))) await new Promise((r) => setTimeout(r, 200));
    // Let stragglers (re-deliveries after the last kill) arrive before counting.
    await new Promise((r) => setTimeout(r, 500));
    const seen = new Map<string, number>();
    for (const c of far.committed) seen.set(c.externalId, (seen.get(c.externalId) ?? 0) + 1);
    const lastSeq = new Map<string, number>();
    let outOfOrder = 0;
    for (const c of far.committed) {
      const seq = seqOf(c.externalId);
      if (seq < (lastSeq.get(c.patient) ?? -1)) outOfOrder++;
      lastSeq.set(c.patient, Math.max(seq, lastSeq.get(c.patient) ?? -1));
    }
    // Anything not at the far side: still in the journal's queue (late) or really gone (lost)?
    await child.stop();
    const missing = batch.filter((m) => expected.has(`${m.facility}:${m.controlId}`) && !seen.has(`${m.facility}:${m.controlId}`));
    const db = new Database(path.join(root, 'connector.db'), { readonly: true });
    const status = db.prepare('SELECT status FROM journal_items WHERE queue = ? AND key = ?');
    const statuses = missing.map((m) => (status.get(outboxQueue, dedupeKey(m.facility, m.controlId)) as { status: string } | undefined)?.status ?? 'absent');
    const pending = statuses.filter((s) => s === 'queued').length;
    // How the lost ones ended in the journal (dead letters, marked delivered, absent) — the first thing to look at.
    const lostAs: Record<string, number> = {};
    for (const s of statuses) if (s !== 'queued') lostAs[`lost:${s}`] = (lostAs[`lost:${s}`] ?? 0) + 1;
    if (process.env.FAULTS_KEEP) log(`  kept ${root}; lost: ${missing.filter((_, i) => statuses[i] !== 'queued').map((m) => m.controlId).join(' ')}`);
    db.close();
    return {
      scenario: 'connector SIGKILL + API faults',
      messages: options.messages,
      kills,
      faultsInjected: { ...far.injected, resendsAfterKill: sent.resends, notAA: sent.codes.filter((c) => c !== 'AA').length, ...lostAs },
      expected: expected.size,
      pending,
      lost: missing.length - pending,
      duplicated: [...seen.values()].filter((n) => n > 1).length,
      outOfOrder,
      wronglyDelivered: [...seen.keys()].filter((id) => refused.has(id)).length,
      absorbedRepeats: far.replays,
      seconds: (performance.now() - began) / 1000,
    };
  } finally {
    await killing.catch(() => undefined);
    await child.stop();
    await far.close();
    if (!process.env.FAULTS_KEEP) rmSync(root, { recursive: true, force: true });
  }
}
