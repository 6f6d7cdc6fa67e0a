/**
 * Issue #13 §3: retention removes content first (7 days by default), rows
 * later (90 days), duplicates stay detected on what is left, the SQLite file
 * shrinks, and `caraloom prune --dry-run` lists without removing. Driven by
 * a ManualClock; SQLite and PostgreSQL.
 */
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import test from 'ava';
import { Counter } from 'prom-client';
import { loadConfig } from '../../config/load.js';
import { ManualClock } from '../../core/clock.js';
import { retentionConfig } from '../../core/config/retention.js';
import { storeSchema } from '../../core/config/store.js';
import { ensureKeyFile } from '../../core/crypto/keys.js';
import { openJournal } from '../../core/journal/open.js';
import type { PruneRule } from '../../core/journal/prune.js';
import { connectorPlan, relayPlan, runPrune } from '../../core/journal/retention.js';
import { createLogger } from '../../core/logger.js';
import type { Journal } from '../../core/journal/types.js';
import { sqliteMigrations } from '../../core/journal/sqlite-schema.js';
import { sampleFile } from '../helpers/corpus.js';
import { eventually } from '../helpers/eventually.js';
import { freshSchema, openTestJournal } from '../helpers/postgres.js';
import { readAck, startApiStandIn, startConnector } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';
import { cli, writeConfig } from './_cli.js';
import { storeFor, storeKinds } from './_stores.js';

const day = 86_400_000;
const sample = sampleFile('hl7/adt-a03-home-health.hl7');

async function postHl7(url: string, body: Buffer = sample) {
  const response = await fetch(`${url}/hl7`, { method: 'POST', headers: { authorization: 'Bearer hl7-token-0123456789', 'content-type': 'x-application/hl7-v2+er7' }, body: new Uint8Array(body) });
  return readAck(await response.text());
}

for (const kind of storeKinds) {
  test(`${kind}: content goes after 7 days, the row after 90, and duplicates are still detected in between`, async (t) => {
    const clock = new ManualClock(Date.now());
    const api = await startApiStandIn(t);
    const { connector, httpUrl } = await startConnector(t, { apiUrl: api.url, clock, store: storeFor(t, kind) });
    const journal = connector.journal!;
    t.is((await postHl7(httpUrl)).code, 'AA');
    await eventually(async () => (await journal.counts('connector.outbox')).delivered === 1);
    const [item] = await journal.list({ queue: 'connector.outbox' });

    clock.advance(6 * day);
    t.is((await connector.prune())!.total, 0, 'nothing is due at 6 days');
    t.not((await journal.get(item!.id))!.payload, null);

    clock.advance(1 * day + 60_000);
    const report = await connector.prune();
    t.like(report!.steps.find((step) => step.what === 'content'), { count: 1 });
    const pruned = (await journal.get(item!.id))!;
    t.is(pruned.payload, null, 'the message content is gone');
    t.is(pruned.result, null, 'and the API answer with it');
    t.is(pruned.status, 'delivered');
    t.is(pruned.meta.controlId, 'RB20261120143012001', 'the metadata stays');

    // Same MSH-4 + MSH-10, same content: told apart from the content hash kept in the metadata.
    t.like(await postHl7(httpUrl), { code: 'AA', text: 'duplicate: already received' }, 'the resend is acknowledged as a duplicate');
    t.is((await journal.list({ queue: 'connector.outbox' })).length, 1, 'nothing new is stored');
    t.is(api.requests.length, 1, 'nor sent again');
    const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
    t.regex(metrics, /caraloom_connector_pruned_total\{what="content"\} 1/);
    t.regex(metrics, /caraloom_connector_duplicates_total\{verdict="resend"\} 1/);
    const changed = Buffer.from(sample.toString('latin1').replace('Delgado', 'Delgada'), 'latin1');
    t.like(await postHl7(httpUrl, changed), { code: 'AR' }, 'the same key with other content is still refused after the content went');
    t.is(api.requests.length, 1);

    clock.advance(83 * day);
    t.like((await connector.prune())!.steps.find((step) => step.what === 'metadata'), { count: 1 });
    t.is(await journal.get(item!.id), undefined, 'the row is gone after 90 days');
    t.like((await journal.audit.list({ action: 'pruned' })).at(-1), { actor: 'service:connector', detail: { metadata: 1 } });
  });

  test(`${kind}: prune --dry-run lists what would go and removes nothing; prune then removes it`, async (t) => {
    const dataDir = tempDir(t, 'prune-');
    const store = storeFor(t, kind);
    const journal = await openJournal({ store, dataDir, name: 'connector', clock: new ManualClock(Date.now() - 10 * day) });
    await journal.enqueueMany([
      { queue: 'connector.outbox', key: 'a', payload: { hl7: 'MSH|old delivered' }, status: 'delivered' },
      { queue: 'connector.outbox', key: 'b', payload: { hl7: 'MSH|old filtered' }, status: 'filtered' },
      { queue: 'connector.outbox', key: 'c', payload: { hl7: 'MSH|still queued' } },
    ]);
    await journal.close();
    const config = writeConfig(dataDir, store);
    const dry = await cli(['prune', '--dry-run', '--service', 'connector', '--json', '--config', config, '--data', dataDir]);
    t.is(dry.code, 0, dry.stderr);
    const planned = JSON.parse(dry.stdout).connector;
    t.like(planned, { dryRun: true, total: 2 });
    t.deepEqual(planned.steps.map((step: { what: string; count: number }) => [step.what, step.count]), [['content', 1], ['filtered-content', 1], ['dead-content', 0], ['metadata', 0]]);
    const reopened = await openJournal({ store, dataDir, name: 'connector' });
    t.teardown(() => reopened.close());
    t.is((await reopened.list({ queue: 'connector.outbox' })).filter((item) => item.payload === null).length, 0, 'the dry run removed nothing');
    const real = await cli(['prune', '--service', 'connector', '--config', config, '--data', dataDir]);
    t.regex(real.stdout, /^connector: pruned 2 record\(s\)/);
    const items = await reopened.list<unknown>({ queue: 'connector.outbox', order: 'asc', afterId: 0 });
    t.deepEqual(items.map((item) => [item.key, item.payload === null]), [['a', true], ['b', true], ['c', false]]);
    t.like((await reopened.audit.list({ action: 'pruned' }))[0], { actor: `os:${os.userInfo().username}`, detail: { content: 1, 'filtered-content': 1 } });
  });
}

const fileSize = (file: string): number => statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);

for (const encrypted of [false, true]) {
  // Encrypted journals also run with secure_delete (sqlite-crypto.ts): freed pages are zeroed first, then given back.
  // Serial: its 20,000-row prune and VACUUM hold the event loop for seconds on a loaded machine, which
  // would starve the PostgreSQL tests' connection handshakes running beside it in this process.
  test.serial(`sqlite${encrypted ? ' (encrypted)' : ''}: pruning gives the disk back`, async (t) => {
    const dataDir = tempDir(t, 'prune-size-');
    if (encrypted) ensureKeyFile(dataDir);
    const clock = new ManualClock(Date.now());
    const journal = await openJournal({ store: storeSchema.parse({ kind: 'sqlite', synchronous: 'normal' }), dataDir, name: 'connector', clock });
    t.teardown(() => journal.close());
    const body = 'PID|1||MRN^^^X^MR||Name^Given||19000101|F|||Street'.padEnd(4_000, 'x');
    for (let batch = 0; batch < 10; batch += 1) {
      await journal.enqueueMany(Array.from({ length: 200 }, (_, n) => ({ queue: 'connector.outbox', key: `k${batch}-${n}`, payload: { hl7: body }, status: 'delivered' as const })));
    }
    await journal.enqueue({ queue: 'connector.outbox', key: 'still-queued', payload: { hl7: 'MSH|queued' } });
    const file = path.join(dataDir, 'connector.db');
    const checkpoint = new Database(file);
    checkpoint.pragma('wal_checkpoint(TRUNCATE)');
    checkpoint.close();
    const before = fileSize(file);
    t.true(before > 8_000_000, `${before} bytes before`);

    clock.advance(6 * day);
    t.is((await runPrune(journal, connectorPlan(retentionConfig(), clock.now()), { actor: 'test' })).total, 0);
    t.is(fileSize(file), before, 'nothing due, nothing moved');

    clock.advance(2 * day);
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const report = await runPrune(journal, connectorPlan(retentionConfig(), clock.now()), { actor: 'test', logger });
    t.is(report.total, 2_000);
    t.is(lines.length, 1, 'one log line per run');
    t.like(JSON.parse(lines[0]!), { pruned: { content: 2_000, 'filtered-content': 0, 'dead-content': 0, metadata: 0 }, total: 2_000 });
    t.notRegex(lines[0]!, /PID|MRN|Street/, 'counts only');
    const after = fileSize(file);
    t.log(`content pruned: ${before} → ${after} bytes (db + wal)`);
    // Most of a message lives in overflow pages, which go back whole; the
    // rows' in-page parts keep their leaf pages sparse until the rows go.
    t.true(after < before / 2, `${before} → ${after} bytes`);
    t.is(statSync(`${file}-wal`).size, 0, 'the WAL was checkpointed and truncated');
    t.is((await journal.getByKey<{ hl7: string }>('connector.outbox', 'still-queued'))?.payload.hl7, 'MSH|queued', 'the queued item is untouched');

    clock.advance(83 * day);
    t.is((await runPrune(journal, connectorPlan(retentionConfig(), clock.now()), { actor: 'test' })).total, 2_000, 'the rows go after 90 days');
    const empty = fileSize(file);
    t.log(`rows pruned: ${after} → ${empty} bytes`);
    t.true(empty < before / 20, `${before} → ${empty} bytes`);
    t.is((await journal.counts('connector.outbox')).queued, 1);
  });
}

test('sqlite: a journal file from before this release is switched to incremental vacuum on open', async (t) => {
  const dataDir = tempDir(t, 'prune-upgrade-');
  const file = path.join(dataDir, 'connector.db');
  const old = new Database(file);
  old.pragma('journal_mode = WAL');
  for (const [index, migration] of sqliteMigrations.slice(0, 2).entries()) {
    old.exec(migration);
    old.pragma(`user_version = ${index + 1}`);
  }
  old.prepare("INSERT INTO journal_items (queue, key, status, payload, available_at, created_at, updated_at) VALUES ('connector.outbox', 'k', 'queued', '{}', 0, 0, 0)").run();
  t.is(Number(old.pragma('auto_vacuum', { simple: true })), 0);
  old.close();
  const journal = await openJournal({ store: storeSchema.parse({ kind: 'sqlite' }), dataDir, name: 'connector' });
  t.teardown(() => journal.close());
  t.is((await journal.list({ queue: 'connector.outbox' })).length, 1, 'the queued item survived the VACUUM');
  const check = new Database(file, { readonly: true });
  t.teardown(() => check.close());
  t.is(Number(check.pragma('auto_vacuum', { simple: true })), 2, 'INCREMENTAL');
});

/**
 * Runs `rule` in small batches and, from the first committed batch until the
 * prune returns, pushes messages through intake (enqueue, claim, complete)
 * one after another; returns the order things happened in.
 */
async function pruneDuringIntake(journal: Journal, rule: PruneRule, batch: number) {
  const events: Array<'batch' | 'intake' | 'pruned'> = [];
  let firstBatch!: () => void;
  const started = new Promise<void>((resolve) => (firstBatch = resolve));
  let finished = false;
  const onBatch = () => {
    events.push('batch');
    firstBatch();
  };
  const pruning = journal.prune(rule, { batch, onBatch }).finally(() => {
    finished = true;
    events.push('pruned');
  });
  const intake = (async () => {
    await started;
    let sent = 0;
    while (!finished) {
      const key = `${rule.what}-${sent}`;
      const { created } = await journal.enqueue({ queue: 'connector.outbox', key, payload: { hl7: 'MSH|new' } });
      const claimed = await journal.claim({ queue: 'connector.outbox', limit: 1, leaseMs: 60_000 });
      await journal.complete(claimed[0]!.id);
      if (!created || claimed[0]!.key !== key) throw new Error(`intake ${key} was not a fresh enqueue and claim`);
      events.push('intake');
      sent += 1;
    }
    return sent;
  })();
  const [pruned, sent] = await Promise.all([pruning, intake]);
  return { pruned, sent, events };
}

test('postgres: a large prune runs in short batches while intake keeps succeeding', async (t) => {
  const clock = new ManualClock(Date.now());
  const journal = await openTestJournal(t, freshSchema(t), clock, { poolSize: 4 });
  const rows = 20_000;
  for (let chunk = 0; chunk < rows / 1_000; chunk += 1) {
    await journal.enqueueMany(Array.from({ length: 1_000 }, (_, n) => ({ queue: 'connector.outbox', key: `old-${chunk}-${n}`, payload: { hl7: 'PID|1||MRN'.padEnd(500, 'x') }, status: 'delivered' as const })));
  }
  clock.advance(91 * day);
  const plan = connectorPlan(retentionConfig(), clock.now());
  let taken = 0;
  for (const what of ['content', 'metadata']) {
    const { pruned, sent, events } = await pruneDuringIntake(journal, plan.find((rule) => rule.what === what)!, 200);
    t.is(pruned, rows, `${what}: every old row`);
    const lastBatch = events.lastIndexOf('batch');
    const duringPrune = events.slice(events.indexOf('batch'), lastBatch).filter((event) => event === 'intake').length;
    t.log(`${what}: ${events.filter((event) => event === 'batch').length} batches, ${duringPrune} of ${sent} messages taken in between them`);
    t.true(duringPrune >= 3, `${what}: intake completed while the prune was still running (${events.join(' ')})`);
    taken += sent;
  }
  t.like(await journal.counts('connector.outbox'), { queued: 0, delivered: taken }, 'only the messages taken during the prunes are left');
  t.is((await journal.getByKey<{ hl7: string }>('connector.outbox', 'content-0'))?.payload.hl7, 'MSH|new', 'and their content is untouched');
});

test('the example config documents every retention default', (t) => {
  t.deepEqual(loadConfig('config/caraloom.example.yaml', {}).retention, retentionConfig());
});

for (const kind of storeKinds) {
  test(`${kind}: the relay plan clears event and delivery content, then event rows after the dedupe window, then delivery rows; pause records stay`, async (t) => {
    const clock = new ManualClock(Date.now());
    const journal = await openJournal({ store: storeFor(t, kind), dataDir: tempDir(t, 'prune-relay-'), name: 'relay', clock });
    t.teardown(() => journal.close());
    await journal.enqueueMany([
      { queue: 'relay.events', key: 'evt_1', payload: { body: 'event body' }, status: 'delivered' },
      { queue: 'relay.sub.ehr', key: 'evt_1', payload: { body: 'delivery body' }, status: 'delivered' },
      { queue: 'relay.sub.ehr', key: 'evt_0', payload: { body: 'dead delivery body' }, status: 'dead' },
      { queue: 'relay.pause.ehr', key: 'paused', payload: { by: 'operator' }, status: 'delivered' },
      { queue: 'relay.sub.ehr', key: 'evt_2', payload: { body: 'queued delivery' } },
    ]);
    const counter = new Counter({ name: `relay_pruned_${kind}`, help: 'test', labelNames: ['what'], registers: [] });
    const prune = async () => {
      const report = await runPrune(journal, relayPlan(retentionConfig(), 3 * day, clock.now()), { actor: 'test', counter });
      return Object.fromEntries(report.steps.filter((step) => step.count > 0).map((step) => [step.what, step.count]));
    };
    const content = async (queue: string, key: string) => (await journal.getByKey(queue, key))?.payload;

    clock.advance(4 * day);
    t.deepEqual(await prune(), { 'event-metadata': 1 }, 'after 4 days: the event row (past the 3-day dedupe window)');
    clock.advance(4 * day);
    t.deepEqual(await prune(), { 'delivery-content': 1 }, 'after 8 days: the delivered delivery content');
    t.is(await content('relay.sub.ehr', 'evt_1'), null);
    t.deepEqual(await content('relay.sub.ehr', 'evt_0'), { body: 'dead delivery body' }, 'dead content stays longer');
    clock.advance(23 * day);
    t.deepEqual(await prune(), { 'dead-content': 1, 'delivery-metadata': 2 }, 'after 31 days: dead content, then both delivery rows');
    t.deepEqual(await content('relay.pause.ehr', 'paused'), { by: 'operator' }, 'the pause record is never touched');
    t.deepEqual(await content('relay.sub.ehr', 'evt_2'), { body: 'queued delivery' }, 'nor a queued delivery');
    t.deepEqual(Object.fromEntries((await counter.get()).values.map((value) => [value.labels.what, value.value])), { 'event-metadata': 1, 'delivery-content': 1, 'dead-content': 1, 'delivery-metadata': 2 });
  });
}
