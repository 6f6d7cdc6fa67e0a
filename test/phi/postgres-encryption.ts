/**
 * Issue #13 §2 on PostgreSQL: the database sees only ciphertext (a pg_dump
 * of the schema after the samples went through a real connector to the real
 * sandbox holds no sample name, MRN, street or birth date), rows cannot be
 * swapped, a wrong or missing key is refused at start, and the shared
 * journal suite passes with every value sealed.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import test from 'ava';
import { ensureKeyFile, newKeyLine, parseKeys } from '../../core/crypto/keys.js';
import { openPostgresJournal } from '../../core/journal/postgres.js';
import { silentLogger } from '../../core/logger.js';
import { splitMessages } from '../../connector/hl7/split.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { sampleFiles } from '../helpers/corpus.js';
import { eventually, mllpClient, startConnector } from '../helpers/connector.js';
import { journalSuite } from '../helpers/journal-suite.js';
import { freshSchema, sql, testDatabaseUrl } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';
import { samplePhi, storeFor } from './_stores.js';

const run = promisify(execFile);
const keyring = () => parseKeys(newKeyLine().line, 'test');

/** Names, MRNs, birth dates and streets from every PID segment of the shipped samples, with the markers the other PHI tests use. */
function phiTerms(): string[] {
  const terms = new Set<string>(samplePhi);
  for (const file of sampleFiles('hl7')) {
    for (const segment of file.bytes.toString('latin1').split(/\r\n?|\n/).filter((line) => line.startsWith('PID|'))) {
      const fields = segment.split('|');
      const [family, given] = (fields[5] ?? '').split('^');
      const mrn = (fields[3] ?? '').split('^')[0];
      const birth = (fields[7] ?? '').slice(0, 8);
      const street = (fields[11] ?? '').split('^')[0];
      for (const term of [family, given, mrn, birth, street]) if (term !== undefined && term.length >= 4) terms.add(term);
    }
  }
  return [...terms];
}

test.serial('after the sample messages went through a real connector on postgres to the real sandbox, pg_dump of its schema holds no sample name, mrn, street or birth date', async (t) => {
  t.timeout(120_000);
  const sandbox = createSandbox({ config: sandboxConfig({ port: 0, ratePerMinute: 0, ratePerDay: 0 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: tempDir(t, 'caraloom-sandbox-'), logger: silentLogger() });
  await sandbox.start();
  t.teardown(() => sandbox.stop());
  const key = await sandbox.issueKey('phi@example.com');
  const dataDir = tempDir(t, 'caraloom-phi-');
  ensureKeyFile(dataDir);
  const store = storeFor(t, 'postgres');
  const harness = await startConnector(t, { apiUrl: sandbox.url!, apiKey: key, dataDir, store, manual: true });
  const client = mllpClient(t, harness.mllpPort, 30_000);
  let sent = 0;
  for (const file of sampleFiles('hl7')) for (const message of splitMessages(file.bytes)) {
    await client.send(message);
    sent += 1;
  }
  await eventually(async () => (await harness.connector.journal!.counts()).queued === 0, { timeoutMs: 60_000 });
  const counts = await harness.connector.journal!.counts();
  t.true(counts.delivered > 0, JSON.stringify(counts));
  await client.close();
  await harness.connector.stop();

  const terms = phiTerms();
  t.true(terms.length >= 14 && terms.includes('MRN10048213') && terms.includes('Delgado') && terms.includes('19480312') && terms.includes('4102 Shoal Creek Blvd'), terms.join(','));
  if (store.kind !== 'postgres') throw new Error('expected a postgres store');
  const { stdout: dump } = await run('/usr/bin/pg_dump', ['--dbname', testDatabaseUrl, '--schema', store.schema, '--no-owner'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  t.regex(dump, /COPY .*journal_items/, 'the dump holds the journal rows');
  t.regex(dump, /\tv1:k[0-9a-f]{8}:/, 'and they are sealed');
  const found = terms.filter((term) => dump.includes(term));
  t.deepEqual(found, [], `${sent} messages sent, ${counts.delivered} delivered`);
});

test('postgres: a payload moved into another row does not open, and the untouched row still does', async (t) => {
  const schema = freshSchema(t);
  const ring = keyring();
  const journal = await openPostgresJournal({ url: testDatabaseUrl, schema, poolSize: 2, keyring: ring });
  t.teardown(() => journal.close());
  const a = await journal.enqueue({ queue: 'q', payload: { patient: 'A' } });
  const b = await journal.enqueue({ queue: 'q', payload: { patient: 'B' } });
  const [stored] = await sql<{ payload: string }>(`SELECT payload FROM "${schema}".journal_items WHERE id = $1`, [a.item.id]);
  t.regex(stored!.payload, new RegExp(`^v1:${ring.current.id}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$`), 'a versioned envelope naming its key');
  await sql(`UPDATE "${schema}".journal_items SET payload = $1 WHERE id = $2`, [stored!.payload, b.item.id]);
  await t.throwsAsync(journal.get(b.item.id), { code: 'DATA_KEY', message: /does not authenticate/ } as never);
  t.deepEqual((await journal.get(a.item.id))!.payload, { patient: 'A' });
});

test('postgres: results and attempt answers are sealed too, and read back', async (t) => {
  const schema = freshSchema(t);
  const journal = await openPostgresJournal({ url: testDatabaseUrl, schema, poolSize: 2, keyring: keyring() });
  t.teardown(() => journal.close());
  const { item } = await journal.enqueue({ queue: 'q', payload: { hl7: 'PID|1||MRNSEAL' } });
  await journal.claim({ queue: 'q', limit: 1, leaseMs: 1_000 });
  await journal.complete(item.id, { result: { patient: 'SEALED^RESULT' }, attempt: { at: 1_000, ok: true, status: 201, response: 'SEALED ANSWER', error: 'SEALED ERROR' } });
  const rows = await sql<{ text: string }>(`SELECT row_to_json(i)::text AS text FROM "${schema}".journal_items i UNION ALL SELECT row_to_json(a)::text FROM "${schema}".journal_attempts a`);
  t.is(rows.length, 2);
  for (const marker of ['MRNSEAL', 'SEALED']) t.false(rows.some((row) => row.text.includes(marker)), marker);
  t.deepEqual((await journal.get(item.id))!.result, { patient: 'SEALED^RESULT' });
  t.like((await journal.attempts(item.id))[0], { response: 'SEALED ANSWER', error: 'SEALED ERROR', status: 201 });
});

test('a connector on postgres whose data key is wrong or missing refuses to start, saying why', async (t) => {
  const dataDir = tempDir(t, 'caraloom-phi-');
  const { file } = ensureKeyFile(dataDir);
  const store = storeFor(t, 'postgres');
  const first = await startConnector(t, { dataDir, store, manual: true });
  await first.connector.stop();

  writeFileSync(file, newKeyLine().line, { mode: 0o600 });
  await t.throwsAsync(startConnector(t, { dataDir, store, manual: true }), { message: /data key does not open this journal/ });

  rmSync(file);
  await t.throwsAsync(startConnector(t, { dataDir, store, manual: true }), { message: /this journal is encrypted: set CARALOOM_DATA_KEY/ });
});

test('postgres: two instances opening a new journal with different keys: the second is refused', async (t) => {
  const schema = freshSchema(t);
  const journal = await openPostgresJournal({ url: testDatabaseUrl, schema, poolSize: 2, keyring: keyring() });
  t.teardown(() => journal.close());
  await t.throwsAsync(openPostgresJournal({ url: testDatabaseUrl, schema, poolSize: 2, keyring: keyring() }), { code: 'DATA_KEY', message: /data key does not open this journal/ } as never);
  await t.throwsAsync(openPostgresJournal({ url: testDatabaseUrl, schema, poolSize: 2 }), { code: 'DATA_KEY' } as never);
});

// The shared journal behaviour on PostgreSQL, with every payload, result and attempt sealed.
journalSuite('postgres encrypted', async (t, clock) => {
  const journal = await openPostgresJournal({ url: testDatabaseUrl, schema: freshSchema(t), poolSize: 4, clock, connectTimeoutMs: 10_000, keyring: keyring() });
  t.teardown(() => journal.close());
  return journal;
});
