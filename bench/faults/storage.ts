/**
 * Fault run: the journal's filesystem fills up. The connector and the relay
 * each run (child processes) with their data folder on a small tmpfs; the
 * harness fills it, sends, frees it, sends again. Expected: the connector
 * answers AR with ERR 207 while full, the relay 503; neither crashes; both
 * accept again once space is back, and what they accepted is delivered.
 * Needs root for `mount -t tmpfs` (a read-only remount is refused while the
 * journal holds its files open, so "full" is the trouble injected).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signCaraloom } from '../../core/signature.js';
import { adtBatch } from '../lib/adt.js';
import { portOf, startChild } from '../lib/child.js';
import { startFarSide } from '../lib/far-side.js';
import { runLoad } from '../lib/mllp-load.js';
import { startSubscriber } from '../lib/subscriber.js';
import { webhookEvent } from '../lib/webhooks.js';
import { waitFor } from '../scenarios/relay.js';

export interface StoragePhase {
  /** ACK codes (connector) or HTTP statuses (relay) per phase. */
  before: Record<string, number>;
  full: Record<string, number>;
  after: Record<string, number>;
  /** ERR-3 207 present on the refusals (connector). */
  refusalsNamed207: number;
  alive: boolean;
  /** Everything accepted (AA / 2xx) was delivered after space came back. */
  deliveredAll: boolean;
}

export interface StorageSummary {
  connector: StoragePhase;
  relay: StoragePhase;
}

/** True when this process may mount a tmpfs (root on Linux). */
export function canMountTmpfs(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0;
}

async function withTmpfs<T>(sizeMb: number, work: (dir: string, fill: () => void, free: () => void) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caraloom-faults-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
  const filler = path.join(dir, 'filler');
  const fill = () => {
    const fd = openSync(filler, 'a');
    const chunk = Buffer.alloc(64 * 1024);
    try {
      for (;;) writeSync(fd, chunk);
    } catch {
      // ENOSPC: the filesystem is full, which is the point.
    } finally {
      closeSync(fd);
    }
  };
  const free = () => rmSync(filler, { force: true });
  try {
    return await work(path.join(dir, 'data'), fill, free);
  } finally {
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

const tally = (values: readonly (string | number)[]) => {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
};

export async function connectorStorageRun(messagesPerPhase = 20): Promise<StoragePhase> {
  const sink = await startFarSide();
  try {
    return await withTmpfs(16, async (dataDir, fill, free) => {
      const child = await startChild<{ mllp: string }>('connector', { dataDir, apiUrl: sink.url, apiKey: 'faults-key-0123456789', connector: { delivery: { retrySchedule: Array.from({ length: 20 }, () => 0.5) } } });
      try {
        const port = portOf(child.info.mllp);
        const batch = adtBatch(messagesPerPhase * 3, { controlPrefix: 'D', seed: 9 });
        const phase = (k: number) => batch.slice(k * messagesPerPhase, (k + 1) * messagesPerPhase);
        let refusalsNamed207 = 0;
        const send = async (k: number) => {
          const load = await runLoad({ port, messages: phase(k).map((m) => m.text), connections: 1, replyTimeoutMs: 10_000 });
          return load.codes;
        };
        const before = await send(0);
        fill();
        const fullCodes = await runLoad({ port, messages: phase(1).map((m) => m.text), connections: 1, replyTimeoutMs: 10_000, keepReplies: true });
        // ERR-3 207 (application internal error) tells the engine to keep the message and resend it.
        refusalsNamed207 = fullCodes.replies.filter((reply, i) => fullCodes.codes[i] === 'AR' && /\rERR\|[^\r]*\|207(\^|\|)/.test(reply)).length;
        free();
        const after = await send(2);
        const alive = child.proc.exitCode === null && child.proc.signalCode === null;
        const accepted = [...phase(0).filter((m, i) => before[i] === 'AA' && m.referable), ...phase(1).filter((m, i) => fullCodes.codes[i] === 'AA' && m.referable), ...phase(2).filter((m, i) => after[i] === 'AA' && m.referable)].map((m) => `${m.facility}:${m.controlId}`);
        const deliveredAll = await waitFor(() => accepted.every((id) => sink.committed.some((c) => c.externalId === id)), 30_000, 100);
        return { before: tally(before), full: tally(fullCodes.codes), after: tally(after), refusalsNamed207, alive, deliveredAll };
      } finally {
        await child.kill();
      }
    });
  } finally {
    await sink.close();
  }
}

export async function relayStorageRun(eventsPerPhase = 20): Promise<StoragePhase> {
  const secret = 'whsec_storage_0123456789abcdef';
  const sub = await startSubscriber();
  try {
    return await withTmpfs(16, async (dataDir, fill, free) => {
      const child = await startChild<{ url: string }>('relay', { dataDir, relay: { secrets: [secret], retry: { schedule: Array.from({ length: 20 }, () => '500ms') }, subscribers: [{ name: 'ehr', kind: 'http', url: sub.url }] } });
      try {
        const send = async (k: number) => {
          const statuses: number[] = [];
          for (let n = k * eventsPerPhase; n < (k + 1) * eventsPerPhase; n++) {
            const body = webhookEvent('disk', n);
            const response = await fetch(`${child.info.url}/webhooks/caraloom`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-caraloom-signature': signCaraloom(secret, body) }, body }).catch(() => undefined);
            await response?.text();
            statuses.push(response?.status ?? 0);
          }
          return statuses;
        };
        const before = await send(0);
        fill();
        const full = await send(1);
        free();
        const after = await send(2);
        const alive = child.proc.exitCode === null && child.proc.signalCode === null;
        const accepted = [before, full, after].flatMap((statuses, k) => statuses.map((s, i) => (s === 200 ? `evt_disk_${k * eventsPerPhase + i}` : undefined)).filter((id): id is string => id !== undefined));
        const deliveredAll = await waitFor(() => accepted.every((id) => sub.byEvent.has(id)), 30_000, 100);
        return { before: tally(before), full: tally(full), after: tally(after), refusalsNamed207: 0, alive, deliveredAll };
      } finally {
        await child.kill();
      }
    });
  } finally {
    await sub.close();
  }
}
