/**
 * Issue #13 §5: the audit trail. A content view leaves an entry (from the
 * admin API and from the CLI, with the OS user), the chain verifies, an
 * edited row shows as a break, rows cannot be changed through SQL without
 * disabling the guard, two writers never fork the chain, and content is
 * refused when its entry cannot be written. SQLite and PostgreSQL.
 */
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { verifyAudit } from '../../core/audit/log.js';
import { openJournal } from '../../core/journal/open.js';
import type { Journal } from '../../core/journal/types.js';
import { sampleFile } from '../helpers/corpus.js';
import { eventually } from '../helpers/eventually.js';
import { startApiStandIn, startConnector } from '../helpers/connector.js';
import { sql } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';
import { cli, writeConfig } from './_cli.js';
import { adminTokens, samplePhi, storeFor, storeKinds, tokens } from './_stores.js';
import type { StoreConfig } from '../../core/config/store.js';

async function journalFor(t: Parameters<typeof storeFor>[0], store: StoreConfig, dataDir: string, clock = new ManualClock(1_800_000_000_000)): Promise<Journal> {
  const journal = await openJournal({ store, dataDir, name: 'connector', clock });
  t.teardown(() => journal.close());
  return journal;
}

/** Change one stored entry behind the product's back, as an intruder with database access would. */
async function tamper(store: StoreConfig, dataDir: string, seq: number): Promise<void> {
  if (store.kind === 'sqlite') {
    const db = new Database(path.join(dataDir, 'connector.db'));
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare("UPDATE audit_log SET actor = 'token:someone-else' WHERE seq = ?").run(seq);
    db.close();
    return;
  }
  const table = `"${store.schema}".audit_log`;
  await sql(`ALTER TABLE ${table} DISABLE TRIGGER audit_log_no_change`);
  await sql(`UPDATE ${table} SET actor = 'token:someone-else' WHERE seq = $1`, [seq]);
}

for (const kind of storeKinds) {
  test(`${kind}: the chain verifies, and shows the entry an edit broke`, async (t) => {
    const dataDir = tempDir(t, 'audit-');
    const store = storeFor(t, kind);
    const journal = await journalFor(t, store, dataDir);
    for (let n = 1; n <= 5; n += 1) await journal.audit.append({ actor: 'token:ops', action: 'viewed', subject: `connector.message/${n}`, remote: '10.0.0.7' });
    t.deepEqual(await verifyAudit(journal.audit), { ok: true, entries: 5 });
    const config = writeConfig(dataDir, store);
    const intact = await cli(['audit', 'verify', '--config', config, '--data', dataDir]);
    t.is(intact.code, 0);
    t.is(intact.stdout, 'audit chain intact: 5 entries\n');
    await tamper(store, dataDir, 3);
    t.like(await verifyAudit(journal.audit), { ok: false, seq: 3, entries: 2 });
    const broken = await cli(['audit', 'verify', '--config', config, '--data', dataDir]);
    t.is(broken.code, 1);
    t.regex(broken.stdout, /^audit chain BROKEN at entry 3: hash does not match/);
  });

  test(`${kind}: the audit table refuses updates and deletes through SQL`, async (t) => {
    const dataDir = tempDir(t, 'audit-');
    const store = storeFor(t, kind);
    const journal = await journalFor(t, store, dataDir);
    await journal.audit.append({ actor: 'token:ops', action: 'paused', subject: 'relay.subscriber/ehr' });
    if (store.kind === 'sqlite') {
      const db = new Database(path.join(dataDir, 'connector.db'));
      t.teardown(() => db.close());
      t.throws(() => db.prepare("UPDATE audit_log SET actor = 'x'").run(), { any: true, message: /append-only/ });
      t.throws(() => db.prepare('DELETE FROM audit_log').run(), { any: true, message: /append-only/ });
    } else {
      await t.throwsAsync(sql(`UPDATE "${store.schema}".audit_log SET actor = 'x'`), { message: /append-only/ });
      await t.throwsAsync(sql(`DELETE FROM "${store.schema}".audit_log`), { message: /append-only/ });
      await t.throwsAsync(sql(`TRUNCATE "${store.schema}".audit_log`), { message: /append-only/ });
    }
    t.deepEqual(await verifyAudit(journal.audit), { ok: true, entries: 1 });
  });

  test(`${kind}: two writers on one store never fork the chain`, async (t) => {
    const dataDir = tempDir(t, 'audit-');
    const store = storeFor(t, kind);
    const [one, two] = [await journalFor(t, store, dataDir), await journalFor(t, store, dataDir)];
    await Promise.all(Array.from({ length: 40 }, (_, n) => (n % 2 === 0 ? one : two).audit.append({ actor: `token:writer-${n % 2}`, action: 'replayed', subject: `connector.message/${n}` })));
    t.deepEqual(await verifyAudit(one.audit), { ok: true, entries: 40 });
    const entries = await two.audit.list({ limit: 100 });
    t.deepEqual(entries.map((entry) => entry.seq), Array.from({ length: 40 }, (_, n) => n + 1));
  });

  test(`${kind}: the cli shows content only with --phi and records that view with the os user`, async (t) => {
    const api = await startApiStandIn(t);
    const store = storeFor(t, kind);
    const harness = await startConnector(t, { apiUrl: api.url, store, manual: true });
    await fetch(`${harness.httpUrl}/hl7`, { method: 'POST', headers: { authorization: 'Bearer hl7-token-0123456789', 'content-type': 'x-application/hl7-v2+er7' }, body: new Uint8Array(sampleFile('hl7/adt-a03-home-health.hl7')) });
    await eventually(async () => (await harness.connector.journal!.counts('connector.outbox')).delivered === 1);
    const [item] = await harness.connector.journal!.list({ queue: 'connector.outbox' });
    await harness.connector.stop();
    const config = writeConfig(harness.dataDir, store);
    const plain = await cli(['messages', 'show', String(item!.id), '--config', config, '--data', harness.dataDir]);
    t.is(plain.code, 0, plain.stderr);
    for (const marker of samplePhi) t.false(plain.stdout.includes(marker), marker);
    t.like(JSON.parse(plain.stdout), { id: item!.id, hl7: null, content: false });
    const phi = await cli(['messages', 'show', String(item!.id), '--phi', '--config', config, '--data', harness.dataDir]);
    t.true(phi.stdout.includes('Delgado^Maria'));
    const listed = await cli(['audit', 'list', '--json', '--action', 'viewed', '--config', config, '--data', harness.dataDir]);
    const views = JSON.parse(listed.stdout) as Array<{ actor: string; subject: string }>;
    t.deepEqual(views.map((entry) => [entry.actor, entry.subject]), [[`os:${os.userInfo().username}`, `connector.message/${item!.id}`]]);
  });
}

test('sqlite: content is refused when its audit entry cannot be written', async (t) => {
  const api = await startApiStandIn(t);
  const harness = await startConnector(t, { apiUrl: api.url, config: { admin: { tokens: adminTokens } } });
  await fetch(`${harness.httpUrl}/hl7`, { method: 'POST', headers: { authorization: 'Bearer hl7-token-0123456789', 'content-type': 'x-application/hl7-v2+er7' }, body: new Uint8Array(sampleFile('hl7/adt-a03-home-health.hl7')) });
  await eventually(async () => (await harness.connector.journal!.counts('connector.outbox')).delivered === 1);
  const [item] = await harness.connector.journal!.list({ queue: 'connector.outbox' });
  // Another connection takes the audit table away (a broken store, as far as appends go).
  const db = new Database(path.join(harness.dataDir, 'connector.db'));
  db.exec('DROP TABLE audit_log');
  db.close();
  const response = await fetch(`${harness.httpUrl}/admin/messages/${item!.id}`, { headers: { authorization: `Bearer ${tokens.phi}` } });
  const text = await response.text();
  t.true(response.status >= 500, `status ${response.status}`);
  for (const marker of samplePhi) t.false(text.includes(marker), marker);
  const viewer = await fetch(`${harness.httpUrl}/admin/messages/${item!.id}`, { headers: { authorization: `Bearer ${tokens.viewer}` } });
  t.is(viewer.status, 200, 'views without content need no entry');
});

test('audit export writes every entry as one json line', async (t) => {
  const dataDir = tempDir(t, 'audit-');
  const store = storeFor(t, 'sqlite');
  const journal = await journalFor(t, store, dataDir);
  for (let n = 1; n <= 3; n += 1) await journal.audit.append({ actor: 'token:ops', action: 'cancelled', subject: `connector.message/${n}` });
  const exported = await cli(['audit', 'export', '--config', writeConfig(dataDir, store), '--data', dataDir]);
  const lines = exported.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
  t.deepEqual(lines.map((line) => [line.seq, line.action, line.service]), [[1, 'cancelled', 'connector'], [2, 'cancelled', 'connector'], [3, 'cancelled', 'connector']]);
  t.is(lines[1].prevHash, lines[0].hash);
});
