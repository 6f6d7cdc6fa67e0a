/**
 * `npm run bench`: every scenario, baselines side by side in the same run so
 * ratios hold on a noisy machine. Writes bench/results/latest.json and prints
 * tables. Counts and time caps come from env (defaults fit 5 minutes on 2
 * cores; each run stops sending at its time cap and reports what it sent):
 *   BENCH_INGEST=20000 BENCH_INGEST_SECONDS=10  BENCH_BACKLOG=100000 BENCH_BACKLOG_SECONDS=30 BENCH_DRAIN_SECONDS=20
 *   BENCH_E2E_RATES=50,200 BENCH_E2E_SECONDS=20    BENCH_RELAY=20000 BENCH_RELAY_SECONDS=12
 *   BENCH_FUZZ=100000 BENCH_FUZZ_SECONDS=15     BENCH_JOURNAL=2000 (bench/journal.ts: SQLite and PostgreSQL)
 *   BENCH_CONSOLE=100000 BENCH_CONSOLE_REQUESTS=200   BENCH_ENCRYPTION_SECONDS=5 BENCH_JOURNAL_ENCRYPTION=4000
 *   BENCH_ONLY=disk,journal,ingest,backlog,e2e,relay,fuzz,console,encryption
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJournalBench, type JournalBenchRow } from './journal.js';
import { backlogScenario, type BacklogRow } from './scenarios/backlog.js';
import { consoleScenario, type ConsoleRow } from './scenarios/console.js';
import { encryptionScenario, type EncryptionRow } from './scenarios/encryption.js';
import { encryptionScenario as journalEncryptionScenario, type EncryptionRow as JournalEncryptionRow } from './scenarios/journal-encryption.js';
import { diskScenario, type DiskRow } from './scenarios/disk.js';
import { e2eScenario, type E2eRow } from './scenarios/e2e.js';
import { fuzzScenario, type FuzzRow } from './scenarios/fuzz.js';
import { ingestScenario, type IngestRow } from './scenarios/ingest.js';
import { relayScenario, type RelayRow } from './scenarios/relay.js';
import { buildProduct } from './lib/build.js';
import { envInt, round, table } from './lib/stats.js';

const only = new Set((process.env.BENCH_ONLY ?? 'disk,journal,ingest,backlog,e2e,relay,fuzz,console,encryption').split(',').map((s) => s.trim()));
const log = (line: string) => process.stderr.write(`${line}\n`);
const began = performance.now();
const results: {
  machine: Record<string, unknown>;
  disk?: DiskRow;
  journal?: JournalBenchRow[] | { error: string };
  ingest?: IngestRow[];
  backlog?: BacklogRow;
  e2e?: E2eRow[];
  relay?: RelayRow[];
  fuzz?: FuzzRow;
  console?: ConsoleRow[];
  encryption?: { rows: EncryptionRow[]; ratio: { ingest: number; drain: number; relay: number }; journalAlone: JournalEncryptionRow[] };
  seconds?: number;
} = {
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}`, memoryGb: round(os.totalmem() / 2 ** 30), loadAverage: os.loadavg().map((v) => round(v, 2)), at: new Date().toISOString() },
};
// Services run compiled, as in production (BENCH_SOURCE=1 runs the sources under tsx instead).
if (!process.env.BENCH_SOURCE) {
  log('compiling the product into bench/.build …');
  process.env.CARALOOM_BENCH_BUILD = buildProduct();
}
results.machine.services = process.env.CARALOOM_BENCH_BUILD ? 'compiled (bench/.build)' : 'sources under tsx';
const section = (name: string) => log(`\n== ${name} (${((performance.now() - began) / 1000).toFixed(0)} s) ==`);

if (only.has('disk')) {
  section('disk: SQLite commit cost on this machine');
  results.disk = diskScenario(envInt('BENCH_DISK_COMMITS', 300));
}
if (only.has('journal')) {
  section('journal alone (bench/journal.ts): group-commit ingest and no-op drain');
  results.journal = await runJournalBench(envInt('BENCH_JOURNAL', 2_000)).catch((error: unknown) => ({ error: String(error) }));
}
if (only.has('ingest')) {
  section('1. MLLP ingest');
  results.ingest = await ingestScenario(envInt('BENCH_INGEST', 20_000), envInt('BENCH_INGEST_SECONDS', 10), log);
}
if (only.has('backlog')) {
  section('2. backlog');
  results.backlog = await backlogScenario(envInt('BENCH_BACKLOG', 100_000), envInt('BENCH_BACKLOG_SECONDS', 30), envInt('BENCH_DRAIN_SECONDS', 20), log);
}
if (only.has('e2e')) {
  section('3. end to end');
  // A rate the chain sustains on this machine, then the 200/s.
  results.e2e = [];
  for (const rate of (process.env.BENCH_E2E_RATES ?? '50,200').split(',').map(Number).filter((r) => r > 0)) {
    results.e2e.push(await e2eScenario(rate, envInt('BENCH_E2E_SECONDS', 20), log));
  }
}
if (only.has('relay')) {
  section('4. relay');
  results.relay = await relayScenario(envInt('BENCH_RELAY', 20_000), envInt('BENCH_RELAY_SECONDS', 12), log);
}
if (only.has('fuzz')) {
  section('5. socket-level fuzz against a running connector');
  results.fuzz = await fuzzScenario(envInt('BENCH_FUZZ', 100_000), envInt('BENCH_FUZZ_SECONDS', 15), log);
}
if (only.has('console')) {
  section('6. console pages over a full journal');
  results.console = await consoleScenario(envInt('BENCH_CONSOLE', 100_000), envInt('BENCH_CONSOLE_REQUESTS', 200), log);
}
if (only.has('encryption')) {
  section('7. encryption at rest on / off (connector ingest and drain, relay intake, and the journal alone)');
  const product = await encryptionScenario(envInt('BENCH_ENCRYPTION_SECONDS', 5), log);
  results.encryption = { ...product, journalAlone: await journalEncryptionScenario(envInt('BENCH_JOURNAL_ENCRYPTION', 4_000), (line) => log(`  journal alone: ${line}`)) };
}
results.seconds = round((performance.now() - began) / 1000);

const here = path.dirname(fileURLToPath(import.meta.url));
mkdirSync(path.join(here, 'results'), { recursive: true });
writeFileSync(path.join(here, 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);

const out: string[] = [`Machine: ${results.machine.cpus} × ${String(results.machine.model)}, Node ${process.version}, load average at start ${(results.machine.loadAverage as number[]).join(' ')}; ${results.seconds} s in all.`];
if (results.disk) out.push('', table(['SQLite commit (1 row, WAL)', 'commits/s', 'ms each'], results.disk.rows.map((r) => [r.mode, r.perSecond, round(1000 / r.perSecond, 2)])));
if (results.journal) {
  if ('error' in results.journal) out.push('', `journal bench skipped: ${results.journal.error}`);
  else out.push('', table(['journal alone (100 senders; worker drain, no-op delivery)', 'ingest', 'drain'], results.journal.map((r) => [r.store, r.ingest, r.drain])));
}
/** CPU per message or event: all threads (the event loop alone). */
const cpu = (c: { all: number; loop: number } | undefined) => (c === undefined ? '—' : `${round(c.all, 3)} (${round(c.loop, 3)})`);
if (results.ingest) {
  const rate = (server: string, c: number) => results.ingest!.find((r) => r.server.startsWith(server) && r.connections === c)?.perSecond ?? Number.NaN;
  out.push('', table(['MLLP ingest', 'conns', 'messages', 'msg/s', 'ACK p50 ms', 'ACK p99 ms', 'not AA', 'CPU ms/msg (event loop)'], results.ingest.map((r) => [r.server, r.connections, r.messages, r.perSecond, round(r.p50Ms, 2), round(r.p99Ms, 2), r.notAA, r.cpuMs?.of === 'process' ? cpu(r.cpuMs) : `${cpu(r.cpuMs)} harness + client`])));
  out.push(`(c)/(a) on 1 connection: ${round(rate('(c)', 1) / rate('(a)', 1), 3)} (aim ≥ 0.8); (c) 8 conns / 1 conn: ${round(rate('(c)', 8) / rate('(c)', 1), 2)} (aim ≥ 1.5)`);
  // Issue #16 aims 1 and 2: one connection against the durable floor (one bare round trip + one synced commit), eight against bare.
  const row = (server: string, c: number) => results.ingest!.find((r) => r.server.startsWith(server) && r.connections === c);
  const syncedMs = results.disk ? 1000 / results.disk.rows[0]!.perSecond : Number.NaN;
  const floorPerSecond = 1000 / ((row('(a)', 1)?.p50Ms ?? Number.NaN) + syncedMs);
  out.push(`durable floor 1/(bare p50 ${round(row('(a)', 1)?.p50Ms ?? Number.NaN, 3)} ms + synced commit ${round(syncedMs, 3)} ms) = ${round(floorPerSecond)}/s${results.disk ? '' : ' (needs BENCH_ONLY to include disk)'}; (c) 1 conn / floor: ${round(rate('(c)', 1) / floorPerSecond, 3)} (aim ≥ 0.8), ACK p99 ${round(row('(c)', 1)?.p99Ms ?? Number.NaN, 2)} ms (aim ≤ 2); (c)/(a) on 8 connections: ${round(rate('(c)', 8) / rate('(a)', 8), 3)} (aim ≥ 0.5)`);
  // What one event loop can do at the CPU per message measured: the ceiling no scheduling change can lift.
  const loop8 = row('(c)', 8)?.cpuMs?.loop;
  if (loop8 !== undefined && loop8 > 0) out.push(`(c) 8 conns: the connector's event loop spent ${round(loop8, 3)} ms of CPU per message (all threads ${round(row('(c)', 8)!.cpuMs!.all, 3)} ms): one loop's ceiling is ${round(1000 / loop8)}/s = ${round(1000 / loop8 / rate('(a)', 8), 3)} × bare on 8 connections`);
}
if (results.backlog) {
  const b = results.backlog;
  out.push('', table(['backlog (API unreachable)', 'value', 'aim'], [
    ['accepted', `${b.accepted} in ${round(b.acceptSeconds)} s (${round(b.acceptPerSecond)}/s)`, '100,000'],
    [`ACK p99 first ${b.sliceSize} / last ${b.sliceSize}`, `${round(b.firstP99Ms)} ms / ${round(b.lastP99Ms)} ms = ${round(b.lastP99Ms / b.firstP99Ms, 2)}×`, '≤ 1.2×'],
    [`connector RSS idle, lowest over ${b.idleSeconds} s: FHIR mappings on / off`, `${round(b.idleRssMb)} MB / ${round(b.idleNoFhirRssMb)} MB`, '≤ 70 MB'],
    ['connector RSS at start / peak while accepting / peak with the drain', `${round(b.startRssMb)} MB / ${round(b.acceptPeakRssMb)} MB / ${round(b.peakRssMb)} MB`, '≤ 150 MB'],
    ['drain to local sink', `${b.drainSinkItems} at ${round(b.drainSinkPerSecond)}/s`, '≥ 2,000/s'],
    ['drain to sandbox', `${b.drainSandboxItems} at ${round(b.drainSandboxPerSecond)}/s`, '—'],
  ]));
}
if (results.e2e) {
  out.push('', table(['end to end: MLLP → connector → sandbox → relay → subscriber', 'sent', 'referrals', 'arrived', 'p50 ms', 'p99 ms (aim ≤ 100)', 'max ms', 'MLLP ACK p99 ms'], results.e2e.map((e) => [`${e.offeredPerSecond}/s offered for ${e.seconds} s`, e.sent, e.referable, e.arrived, round(e.p50Ms), round(e.p99Ms), round(e.maxMs), round(e.ackP99Ms)])));
}
if (results.relay) {
  out.push('', table(['relay (8 senders)', 'events', 'accepted/s', 'p50 ms', 'p99 ms', 'fan-out to 3 subscribers', 'CPU ms/event (event loop)'], results.relay.map((r) => [r.server, r.events, r.perSecond, round(r.p50Ms, 2), round(r.p99Ms, 2), r.fanOutPerSecond === undefined ? '—' : `${round(r.fanOutPerSecond)} deliveries/s, all in ${round(r.fanOutSeconds ?? 0)} s, lost ${r.lost}`, cpu(r.cpuMs)])));
  // Issue #16 aim 4: at the CPU each costs, how far the relay's one event loop can go against the bare handler's.
  const [bare, relay] = results.relay;
  if (bare?.cpuMs !== undefined && relay?.cpuMs !== undefined && relay.cpuMs.loop > 0) {
    out.push(`(b)/(a): ${round(relay.perSecond / bare.perSecond, 3)} (aim ≥ 0.3); CPU per event ${round(relay.cpuMs.all / bare.cpuMs.all, 1)}× the bare handler's per request (event loop ${round(relay.cpuMs.loop / bare.cpuMs.loop, 1)}×): at the same CPU per second the relay's ceiling is ${round(bare.cpuMs.loop / relay.cpuMs.loop, 3)} × bare`);
  }
}
if (results.fuzz) {
  const f = results.fuzz;
  out.push('', table(['socket fuzz', 'value'], [
    ['frames sent / answered / closed unanswered', `${f.frames} / ${f.answered} / ${f.closedUnanswered}`],
    ['unanswered on an open connection', `${f.hung}`],
    ['idle connections held; refused past the limit', `${f.idleHeld}; ${f.refusedOverLimit} refused of ${f.overLimitExpected} over the limit of ${f.limit}`],
    ['connector alive, RSS start / peak', `${f.alive ? 'yes' : 'NO'}, ${round(f.startRssMb)} / ${round(f.peakRssMb)} MB`],
  ]));
}
if (results.console) {
  out.push('', table(['console page (in-process, sequential GETs)', 'messages', 'requests', 'p50 ms', 'p95 ms (aim < 200)', 'max ms'], results.console.map((r) => [r.page, r.messages, r.requests, r.p50Ms, r.p95Ms, r.maxMs])));
}
if (results.encryption) {
  const e = results.encryption;
  const alone = (mode: string) => e.journalAlone.find((row) => row.mode === mode)!;
  out.push('', table(['encryption at rest (mean of 2 runs each, alternated)', 'plain', 'encrypted', 'encrypted / plain'], [
    ['MLLP ingest, 8 connections (msg/s)', e.rows[0]!.ingest, e.rows[1]!.ingest, `${e.ratio.ingest} (aim ≥ 0.9)`],
    ['drain to a local sink (deliveries/s)', e.rows[0]!.drain, e.rows[1]!.drain, `${e.ratio.drain}`],
    ['relay intake, 3 subscribers (events/s)', e.rows[0]!.relay, e.rows[1]!.relay, `${e.ratio.relay}`],
    ['journal alone, ingest (items/s)', round(alone('plain').ingest), round(alone('encrypted').ingest), `${round(alone('encrypted').ingest / alone('plain').ingest, 3)}`],
    ['journal alone, drain (items/s)', round(alone('plain').drain), round(alone('encrypted').drain), `${round(alone('encrypted').drain / alone('plain').drain, 3)}`],
  ]));
}
process.stdout.write(`${out.join('\n')}\n`);
