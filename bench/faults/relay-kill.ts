/**
 * Fault run: the relay (a child process) is SIGKILLed at random moments while
 * its three HTTP subscribers flap (503s and dropped connections). The sender
 * behaves like the API: an event not answered 2xx is sent again, same id and
 * bytes. Afterwards every 2xx'd event reached every subscriber; repeats carry
 * the same delivery id; each referral's events arrived in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { subscriberQueue } from '../../relay/match.js';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { signCaraloom } from '../../core/signature.js';
import { prng } from '../lib/adt.js';
import { startChild, type Child } from '../lib/child.js';
import { freePort } from '../lib/ports.js';
import { checkSubscriber, startSubscriber } from '../lib/subscriber.js';
import { webhookEvent } from '../lib/webhooks.js';
import type { FaultSummary } from './connector-kill.js';

const secret = 'whsec_faults_0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `sendMs` bounds the sending phase: a relay that stops answering must end the
 * run with a report (events not accepted by then are counted in
 * `faultsInjected.notAccepted`), not hang it.
 */
export async function relayKillRun(options: { events: number; kills: number; senders?: number; drainMs?: number; sendMs?: number; seed?: number; log?: (line: string) => void }): Promise<FaultSummary> {
  const began = performance.now();
  const log = options.log ?? (() => undefined);
  const random = prng(options.seed ?? 43);
  const root = mkdtempSync(path.join(os.tmpdir(), 'caraloom-faults-relay-'));
  const subs = await Promise.all([startSubscriber(), startSubscriber(), startSubscriber()]);
  const port = await freePort();
  const args = {
    dataDir: root,
    relay: {
      port,
      secrets: [secret],
      retry: { schedule: ['100ms', '300ms', ...Array.from({ length: 25 }, () => '1s')], jitter: 0.2 },
      breaker: { failures: 5, cooldown: '1s' },
      subscribers: subs.map((s, i) => ({ name: `sub${i}`, kind: 'http', url: s.url, timeout: '2s', concurrency: 4 })),
    },
  };
  let child: Child<{ url: string }> = await startChild('relay', args);
  const referrals = 200;
  const bodies = Array.from({ length: options.events }, (_, n) => webhookEvent('fault', n, referrals));
  const ok = new Array<boolean>(options.events).fill(false);
  const senders = options.senders ?? 8;
  let answered = 0;
  let refusedAttempts = 0;
  let kills = 0;
  let flaps = 0;
  let running = true;

  // Subscribers go down for 0.2–1 s every 0.5–2.5 s, independently.
  const flapping = subs.map(async (sub) => {
    while (running) {
      await sleep(500 + random() * 2000);
      sub.down = true;
      flaps++;
      await sleep(200 + random() * 800);
      sub.down = false;
    }
  });
  const killAt = Array.from({ length: options.kills }, (_, k) => Math.floor(((k + 0.2 + 0.6 * random()) / options.kills) * options.events * 0.9)).sort((a, b) => a - b);
  let killing: Promise<void> = Promise.resolve();
  const maybeKill = () => {
    if (kills >= killAt.length || answered < killAt[kills]!) return;
    kills++;
    const delay = Math.floor(random() * 100);
    killing = killing.then(async () => {
      await sleep(delay);
      await child.kill();
      log(`  SIGKILL relay ${kills} after ${answered} accepted events`);
      child = await startChild('relay', args);
    });
  };

  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: senders, headersTimeout: 5000, bodyTimeout: 5000 });
  // Lane l sends the events of referrals ≡ l (mod senders), in sequence: each referral's order is the send order.
  const sendUntil = performance.now() + (options.sendMs ?? 600_000);
  const lane = async (l: number) => {
    for (let n = 0; n < bodies.length; n++) {
      if ((n % referrals) % senders !== l) continue;
      // Past the deadline a lane stops: later events of its referrals are not sent (order stays checkable).
      if (performance.now() > sendUntil) return;
      for (;;) {
        if (performance.now() > sendUntil) return;
        try {
          const response = await pool.request({ method: 'POST', path: '/webhooks/caraloom', headers: { 'content-type': 'application/json', 'x-caraloom-signature': signCaraloom(secret, bodies[n]!) }, body: bodies[n]! });
          await response.body.dump();
          if (response.statusCode >= 200 && response.statusCode < 300) break;
        } catch {
          // connection refused / reset while the relay is down
        }
        refusedAttempts++;
        await sleep(100);
      }
      ok[n] = true;
      answered++;
      maybeKill();
    }
  };
  try {
    await Promise.all(Array.from({ length: senders }, (_, l) => lane(l)));
    await killing;
    running = false;
    await Promise.all(flapping);
    for (const sub of subs) sub.down = false;
    const ids = bodies.map((_, n) => `evt_fault_${n}`).filter((_, n) => ok[n]);
    const until = performance.now() + (options.drainMs ?? 120_000);
    while (performance.now() < until && subs.some((s) => ids.some((id) => !s.byEvent.has(id)))) await sleep(200);
    await sleep(500);
    const checks = subs.map((s) => checkSubscriber(s, ids));
    // Not at a subscriber yet: still queued in the relay's journal (late) or gone (lost)?
    await child.stop();
    const db = new Database(path.join(root, 'relay.db'), { readonly: true });
    const status = db.prepare('SELECT status FROM journal_items WHERE queue = ? AND key = ?');
    let pending = 0;
    subs.forEach((s, i) => {
      for (const id of ids) if (!s.byEvent.has(id) && (status.get(subscriberQueue(`sub${i}`), id) as { status: string } | undefined)?.status === 'queued') pending++;
    });
    db.close();
    return {
      scenario: 'relay SIGKILL + flapping subscribers',
      messages: options.events,
      kills,
      faultsInjected: { subscriberOutages: flaps, subscriberRefusals: subs.reduce((sum, s) => sum + s.refused, 0), senderRetries: refusedAttempts, notAccepted: ok.filter((x) => !x).length },
      expected: ids.length * subs.length,
      pending,
      lost: checks.reduce((sum, c) => sum + c.lost, 0) - pending,
      duplicated: checks.reduce((sum, c) => sum + c.duplicates, 0),
      outOfOrder: checks.reduce((sum, c) => sum + c.outOfOrder, 0),
      wronglyDelivered: checks.reduce((sum, c) => sum + c.foreignDuplicates, 0),
      absorbedRepeats: checks.reduce((sum, c) => sum + c.duplicates - c.foreignDuplicates, 0),
      seconds: (performance.now() - began) / 1000,
    };
  } finally {
    running = false;
    await pool.close();
    await killing.catch(() => undefined);
    await child.stop();
    await Promise.all(subs.map((s) => s.close()));
    if (process.env.FAULTS_KEEP) log(`  kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}
