/**
 * `npm run faults`: the no-loss promise with faults injected, not assumed.
 *   1. connector SIGKILLed FAULTS_KILLS times while the API answers 20 % 5xx,
 *      5 % timeouts and bursts of 429 (FAULTS_MESSAGES messages);
 *   2. relay SIGKILLed while its subscribers flap (FAULTS_EVENTS events; sending
 *      stops after FAULTS_RELAY_SECONDS, default 300, and the rest is reported);
 *   3. the journal's filesystem full (tmpfs; needs root) for both.
 * Deliveries may take FAULTS_DRAIN_SECONDS (default 300) to finish after the
 * last message; what is still queued then is reported as late, not lost.
 * Prints a summary and exits 1 when anything was lost, duplicated under a new
 * id, reordered, or delivered that must not be.
 */
import { connectorKillRun, type FaultSummary } from './faults/connector-kill.js';
import { relayKillRun } from './faults/relay-kill.js';
import { canMountTmpfs, connectorStorageRun, relayStorageRun, type StoragePhase } from './faults/storage.js';
import { envInt, round, table } from './lib/stats.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (counts: Record<string, number>) => Object.entries(counts).map(([k, v]) => `${k}×${v}`).join(' ');
const report = (s: FaultSummary) => log(`  → ${s.messages} messages, ${s.kills} kills, faults ${fmt(s.faultsInjected)}; must arrive ${s.expected}: still queued at the deadline ${s.pending}, lost ${s.lost}, duplicated ${s.duplicated}, out of order ${s.outOfOrder}, wrongly delivered ${s.wronglyDelivered} (${s.seconds.toFixed(0)} s)`);
const only = new Set((process.env.FAULTS_ONLY ?? 'connector,relay,storage').split(','));
const summaries: FaultSummary[] = [];
const storage: { service: string; phase: StoragePhase }[] = [];

if (only.has('connector')) {
  log('== connector: SIGKILL + API faults ==');
  summaries.push(await connectorKillRun({ messages: envInt('FAULTS_MESSAGES', 10_000), kills: envInt('FAULTS_KILLS', 5), drainMs: envInt('FAULTS_DRAIN_SECONDS', 300) * 1000, log }));
  report(summaries.at(-1)!);
}
if (only.has('relay')) {
  log('== relay: SIGKILL + flapping subscribers ==');
  summaries.push(await relayKillRun({ events: envInt('FAULTS_EVENTS', 10_000), kills: envInt('FAULTS_KILLS', 5), sendMs: envInt('FAULTS_RELAY_SECONDS', 300) * 1000, drainMs: envInt('FAULTS_DRAIN_SECONDS', 300) * 1000, log }));
  report(summaries.at(-1)!);
}
if (only.has('storage')) {
  if (canMountTmpfs()) {
    log('== storage: journal filesystem full ==');
    storage.push({ service: 'connector (ACK codes)', phase: await connectorStorageRun() }, { service: 'relay (HTTP status)', phase: await relayStorageRun() });
  } else log('== storage: skipped, mounting a tmpfs needs root ==');
}

const out = [
  table(
    ['fault run', 'messages', 'kills', 'faults injected', 'must arrive', 'still queued', 'lost', 'duplicated', 'out of order', 'wrongly delivered', 'repeats absorbed', 's'],
    summaries.map((s) => [s.scenario, s.messages, s.kills, fmt(s.faultsInjected), s.expected, s.pending, s.lost, s.duplicated, s.outOfOrder, s.wronglyDelivered, s.absorbedRepeats, round(s.seconds)]),
  ),
];
if (storage.length > 0) {
  out.push('', table(['disk full', 'before', 'while full', 'after', 'AR naming 207', 'alive', 'accepted all delivered'], storage.map(({ service, phase }) => [service, fmt(phase.before), fmt(phase.full), fmt(phase.after), phase.refusalsNamed207, phase.alive ? 'yes' : 'NO', phase.deliveredAll ? 'yes' : 'NO'])));
}
process.stdout.write(`${out.join('\n')}\n`);
// "duplicated" for the relay counts repeats with the same delivery id (allowed); the connector's must be 0.
const failed =
  summaries.some((s) => s.lost > 0 || s.pending > 0 || (s.faultsInjected.notAccepted ?? 0) > 0 || s.outOfOrder > 0 || s.wronglyDelivered > 0 || (s.scenario.startsWith('connector') && s.duplicated > 0)) ||
  storage.some(({ phase }) => !phase.alive || !phase.deliveredAll || (phase.full.AA ?? 0) + (phase.full['200'] ?? 0) === Object.values(phase.full).reduce((a, b) => a + b, 0));
process.exitCode = failed ? 1 : 0;
