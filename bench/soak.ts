/**
 * `npm run soak` (#16 aim 7): SOAK_MESSAGES (default 1,000,000) HL7 v2
 * messages over MLLP into a connector (compiled, its own process, SQLite
 * journal synchronous=FULL) delivering to a local sink, while the relay takes
 * a signed webhook stream (SOAK_RELAY_EVENTS, default a tenth of the
 * messages, spread over the run) and fans it out to 3 subscribers — with
 * retention pruning both journals at soak speed (rows after
 * SOAK_ROWS_SECONDS = 30 s, content after a third of that, every 5 s; the relay keeps event rows for
 * its 30 h dedupe window by design, so only the connector's journal must stay
 * bounded). A warm-up (SOAK_WARMUP, default 2 % of the messages, at most
 * 20,000) goes first and is not counted: the first tenth is then not the JIT
 * and heap ramp.
 *
 * Per tenth of the messages: MLLP rate, ACK p99, drain rate at the sink,
 * connector RSS (median of 1 s samples), journal size, relay intake p99, relay
 * RSS and journal. Exit 1 when the last tenth's RSS or ACK p99 is over 1.1×
 * the first's, its drain rate under 1/1.1 of the first's, the journal's
 * bytes per message kept (answered within the rows retention + interval
 * before the sample; the file follows the rate, per message kept it must stay
 * flat) in the last tenth over 1.1× the fifth's, or anything accepted did not
 * arrive. Writes bench/results/soak.json.
 *   SOAK_MESSAGES=50000 npm run soak     (a quick check: 1–8 min here, by load)
 *   SOAK_CONNECTIONS=4 SOAK_RELAY_SENDERS=2
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProduct } from './lib/build.js';
import { portOf, startChild } from './lib/child.js';
import { envInt, memoryOf, round, table } from './lib/stats.js';
import { startSubscriber } from './lib/subscriber.js';
import { startMllpLoad } from './soak/mllp.js';
import { startRelayLoad } from './soak/relay-load.js';
import { startSink } from './soak/sink.js';
import { checksOf, tenthsOf, type Sample } from './soak/tenths.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const total = envInt('SOAK_MESSAGES', 1_000_000);
const warmup = envInt('SOAK_WARMUP', Math.min(20_000, Math.floor(total / 50)));
const relayEvents = envInt('SOAK_RELAY_EVENTS', Math.floor(total / 10));
const connections = envInt('SOAK_CONNECTIONS', 4);
const relaySenders = envInt('SOAK_RELAY_SENDERS', 2);
const rowsSeconds = envInt('SOAK_ROWS_SECONDS', 30);
const secret = 'whsec_soak_0123456789abcdef';
const began = performance.now();
const here = path.dirname(fileURLToPath(import.meta.url));

if (!process.env.BENCH_SOURCE && !process.env.CARALOOM_BENCH_BUILD) {
  log('compiling the product into bench/.build …');
  process.env.CARALOOM_BENCH_BUILD = buildProduct();
}

const dirBytes = (dir: string): number => {
  try {
    return readdirSync(dir).reduce((sum, name) => sum + statSync(path.join(dir, name)).size, 0);
  } catch {
    return 0;
  }
};

const root = mkdtempSync(path.join(os.tmpdir(), 'caraloom-soak-'));
const connectorDir = path.join(root, 'connector');
const relayDir = path.join(root, 'relay');
const contentSeconds = Math.max(1, Math.floor(rowsSeconds / 3));
const retention = { content: `${contentSeconds}s`, deadContent: `${contentSeconds}s`, filteredContent: `${contentSeconds}s`, metadata: `${rowsSeconds}s`, relayContent: `${contentSeconds}s`, relayMetadata: `${rowsSeconds}s`, interval: '5s' };
const sink = await startSink();
const subs = await Promise.all([startSubscriber(), startSubscriber(), startSubscriber()]);
const connector = await startChild<{ mllp: string; http: string; pid: number }>('../soak/connector', { dataDir: connectorDir, apiUrl: sink.url, apiKey: 'soak-key-0123456789', retention });
const relay = await startChild<{ url: string; pid: number }>('relay', { dataDir: relayDir, retention, relay: { secrets: [secret], breaker: { failures: 0 }, subscribers: subs.map((s, i) => ({ name: `sub${i}`, kind: 'http', url: s.url, concurrency: 8 })) } });
const port = portOf(connector.info.mllp);
let failed = false;
try {
  if (warmup > 0) {
    log(`warm-up: ${warmup} messages (not counted)`);
    const warm = startMllpLoad({ port, total: warmup, connections, prefix: 'W' });
    await warm.done;
    while (sink.arrived < warm.referableAccepted) await new Promise((r) => setTimeout(r, 100));
  }
  const arrivedBefore = sink.arrived;
  const warmAccepted = sink.arrived;
  log(`soak: ${total} messages over ${connections} MLLP connections, ${relayEvents} relay events to 3 subscribers; retention: rows after ${rowsSeconds} s`);

  const samples: Sample[] = [];
  let load: ReturnType<typeof startMllpLoad> | undefined;
  const sampleOnce = async () => {
    const [c, r] = await Promise.all([memoryOf(connector.proc.pid!), memoryOf(relay.proc.pid!)]);
    samples.push({ at: performance.now(), connectorRssMb: c.rssMb, relayRssMb: r.rssMb, journalBytes: dirBytes(connectorDir), relayJournalBytes: dirBytes(relayDir), acked: load?.acked ?? 0 });
  };
  const sampler = setInterval(() => void sampleOnce().catch(() => undefined), 1000);
  const marks: number[] = [performance.now()];
  const step = total / 10;
  load = startMllpLoad({
    port,
    total,
    connections,
    prefix: 'S',
    onAck: (acked) => {
      while (marks.length <= 10 && acked >= Math.round(marks.length * step)) {
        marks.push(performance.now());
        log(`  ${marks.length - 1}0 % (${acked}) after ${((performance.now() - marks[0]!) / 1000).toFixed(0)} s; sink ${sink.arrived - arrivedBefore}`);
      }
    },
  });
  const relayLoad = startRelayLoad({ url: `${relay.info.url}/webhooks/caraloom`, secret, events: relayEvents, senders: relaySenders, progress: () => (load?.acked ?? 0) / total });
  await load.done;
  while (marks.length <= 10) marks.push(performance.now());
  await relayLoad.done;
  // Drain what is left, then the verdict.
  const drainUntil = performance.now() + 300_000;
  while (sink.arrived - warmAccepted < load.referableAccepted && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 100));
  const fanOutUntil = performance.now() + 120_000;
  while (subs.some((s) => s.byEvent.size < relayLoad.accepted) && performance.now() < fanOutUntil) await new Promise((r) => setTimeout(r, 100));
  clearInterval(sampler);
  await sampleOnce();

  const rows = tenthsOf({ marks, latencyMs: load.latencyMs, arrivedBy: sink.arrivedBy, samples, relayLatencyMs: relayLoad.latencyMs, relaySentAtProgress: relayLoad.sentAtProgress, windowMs: (rowsSeconds + 5) * 1000 });
  const checks = checksOf(rows);
  const lost = load.referableAccepted - (sink.arrived - warmAccepted);
  const relayLost = subs.reduce((sum, s) => sum + Math.max(0, relayLoad.accepted - s.byEvent.size), 0);
  const seconds = (performance.now() - began) / 1000;
  const result = {
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadAverage: os.loadavg().map((v) => round(v, 2)), at: new Date().toISOString() },
    messages: total,
    warmup,
    connections,
    relayEvents,
    retention,
    soakSeconds: round((marks[10]! - marks[0]!) / 1000),
    seconds: round(seconds),
    accepted: { referable: load.referableAccepted, notAA: load.notAA, arrived: sink.arrived - warmAccepted, repeats: sink.repeats, lost },
    relay: { accepted: relayLoad.accepted, failed: relayLoad.failed, lostPerSubscriber: relayLost },
    tenths: rows,
    checks,
  };
  mkdirSync(path.join(here, 'results'), { recursive: true });
  writeFileSync(path.join(here, 'results', 'soak.json'), `${JSON.stringify(result, null, 2)}\n`);
  const out = [
    `Soak: ${total} messages in ${round(result.soakSeconds)} s (${round(seconds)} s in all, warm-up ${warmup}); ${os.cpus().length} × ${String(os.cpus()[0]?.model)}, Node ${process.version}, load average ${result.machine.loadAverage.join(' ')}`,
    '',
    table(
      ['tenth', 's', 'MLLP msg/s', 'ACK p99 ms', 'drain /s', 'conn RSS MB (max)', 'journal MB (B/kept)', 'relay p99 ms', 'relay RSS MB', 'relay journal MB'],
      rows.map((r) => [r.tenth, round(r.seconds), round(r.ingestPerSecond), round(r.ackP99Ms, 2), round(r.drainPerSecond), `${round(r.connectorRssMb)} (${round(r.connectorRssMaxMb)})`, `${round(r.journalMaxMb)} (${Math.round(r.journalBytesPerKept)})`, round(r.relayIntakeP99Ms, 2), round(r.relayRssMb), round(r.relayJournalMaxMb)]),
    ),
    '',
    table(['check (last tenth)', 'first', 'last', 'ratio', 'aim', 'ok'], checks.map((c) => [c.what, round(c.first, 2), round(c.last, 2), round(c.ratio, 3), `≤ ${c.limit}`, c.ok ? 'yes' : 'NO'])),
    '',
    `accepted referable ${load.referableAccepted}, arrived ${result.accepted.arrived}, lost ${lost}, sent again ${sink.repeats}, not AA ${load.notAA}; relay accepted ${relayLoad.accepted} (failed ${relayLoad.failed}), missing at subscribers ${relayLost}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  failed = checks.some((c) => !c.ok) || lost !== 0 || relayLost !== 0;
} finally {
  await connector.stop();
  await relay.stop();
  await Promise.all([sink.close(), ...subs.map((s) => s.close())]);
  rmSync(root, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
