import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { silentLogger } from '../../core/logger.js';
import { ensureKeyFile, loadKeyring, newKeyLine, parseKeys } from '../../core/crypto/keys.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { splitMessages } from '../../connector/hl7/split.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { sampleFiles } from '../helpers/corpus.js';
import { eventually, mllpClient, startConnector } from '../helpers/connector.js';
import { journalSuite } from '../helpers/journal-suite.js';
import { tempDir } from '../helpers/temp.js';

const keyring = () => parseKeys(newKeyLine().line, 'test');

/** Family and given names, MRNs and streets from every PID segment of the shipped samples. */
function samplePhi(): string[] {
  const terms = new Set<string>();
  for (const file of sampleFiles('hl7')) {
    for (const segment of file.bytes.toString('latin1').split(/\r\n?|\n/).filter((line) => line.startsWith('PID|'))) {
      const fields = segment.split('|');
      const [family, given] = (fields[5] ?? '').split('^');
      const mrn = (fields[3] ?? '').split('^')[0];
      const street = (fields[11] ?? '').split('^')[0];
      for (const term of [family, given, mrn, street]) if (term !== undefined && term.length >= 4) terms.add(term);
    }
  }
  return [...terms];
}

test.serial('after the sample messages went through a real connector to the real sandbox, no sample name, mrn or street is in any byte of the data folder', async (t) => {
  t.timeout(120_000);
  const sandbox = createSandbox({ config: sandboxConfig({ port: 0, ratePerMinute: 0, ratePerDay: 0 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: tempDir(t, 'caraloom-sandbox-'), logger: silentLogger() });
  await sandbox.start();
  t.teardown(() => sandbox.stop());
  const key = await sandbox.issueKey('phi@example.com');
  const dataDir = tempDir(t, 'caraloom-phi-');
  ensureKeyFile(dataDir);
  const harness = await startConnector(t, { apiUrl: sandbox.url!, apiKey: key, dataDir, manual: true });
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

  const terms = samplePhi();
  t.true(terms.length >= 10 && terms.includes('MRN10048213') && terms.includes('Delgado') && terms.includes('4102 Shoal Creek Blvd'), terms.join(','));
  const files = readdirSync(dataDir).filter((name) => name !== 'data.key');
  t.true(files.includes('connector.db'), files.join(' '));
  const found: string[] = [];
  for (const name of files) {
    const bytes = readFileSync(path.join(dataDir, name));
    for (const term of terms) if (bytes.includes(Buffer.from(term, 'latin1')) || bytes.includes(Buffer.from(term, 'utf8'))) found.push(`${term} in ${name}`);
  }
  t.deepEqual(found, [], `${sent} messages sent`);
});

test('a payload moved into another row does not open: the journal says so instead of returning it', async (t) => {
  const file = path.join(tempDir(t), 'connector.db');
  const ring = keyring();
  const journal = new SqliteJournal({ file, keyring: ring });
  const a = await journal.enqueue({ queue: 'q', payload: { patient: 'A' } });
  const b = await journal.enqueue({ queue: 'q', payload: { patient: 'B' } });
  t.deepEqual((await journal.get(a.item.id))!.payload, { patient: 'A' });
  const raw = new Database(file);
  const stored = raw.prepare('SELECT payload FROM journal_items WHERE id = ?').get(a.item.id) as { payload: string };
  t.regex(stored.payload, new RegExp(`^v1:${ring.current.id}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$`), 'a versioned envelope naming its key');
  raw.prepare('UPDATE journal_items SET payload = ? WHERE id = ?').run(stored.payload, b.item.id);
  raw.close();
  await t.throwsAsync(journal.get(b.item.id), { code: 'DATA_KEY', message: /does not authenticate/ } as never);
  t.deepEqual((await journal.get(a.item.id))!.payload, { patient: 'A' }, 'the untouched row still opens');
  await journal.close();
});

test('a connector whose data key is wrong or missing refuses to start, saying why', async (t) => {
  const dataDir = tempDir(t, 'caraloom-phi-');
  const { file } = ensureKeyFile(dataDir);
  const first = await startConnector(t, { dataDir, manual: true });
  await first.connector.stop();

  writeFileSync(file, newKeyLine().line, { mode: 0o600 });
  const wrong = await t.throwsAsync(startConnector(t, { dataDir, manual: true }));
  t.regex(String(wrong?.message), /data key does not open this journal/);

  writeFileSync(file, '', { mode: 0o600 });
  await t.throwsAsync(startConnector(t, { dataDir, manual: true }), { message: /holds no key/ });
});

test('a journal once encrypted is refused without a key', async (t) => {
  const file = path.join(tempDir(t), 'connector.db');
  const journal = new SqliteJournal({ file, keyring: keyring() });
  await journal.enqueue({ queue: 'q', payload: { patient: 'A' } });
  await journal.close();
  t.throws(() => new SqliteJournal({ file }), { code: 'DATA_KEY', message: /this journal is encrypted: set CARALOOM_DATA_KEY/ } as never);
});

test('a data key file others can read is refused, naming it', (t) => {
  const dir = tempDir(t);
  const { file } = ensureKeyFile(dir);
  t.is(statSync(file).mode & 0o777, 0o600, 'made private');
  chmodSync(file, 0o644);
  t.throws(() => loadKeyring(dir, {}), { message: new RegExp(`data key file ${file} is readable by other users \\(mode 0644\\)`) });
  t.deepEqual(loadKeyring(dir, { CARALOOM_DATA_KEY: 'kenv AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' })?.current.id, 'kenv', 'the environment wins over the file');
});

// The shared journal behaviour, with every payload, result and attempt sealed.
journalSuite('sqlite encrypted', async (t, clock) => new SqliteJournal({ file: path.join(tempDir(t), 'j.db'), clock, synchronous: 'normal', keyring: keyring() }));
