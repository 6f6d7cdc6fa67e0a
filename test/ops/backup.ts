import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { adtGenerator } from '../../bench/lib/adt.js';
import { backupDataDir, restoreDataDir } from '../../core/backup.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { outboxQueue } from '../../connector/metrics.js';
import { mllpClient, readAck, startConnector } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';

test('a backup taken under load restores every message acked before it exactly once', async (t) => {
  // The API is unreachable, so every referral stays queued in the journal.
  const harness = await startConnector(t);
  const client = mllpClient(t, harness.mllpPort);
  const stream = adtGenerator({ controlPrefix: 'BK', patients: 50 });
  const ackedBefore: string[] = [];
  const send = async (into: string[]) => {
    const message = stream.next();
    const ack = readAck(await client.send(message.text));
    t.is(ack.code, 'AA', `${message.controlId} acked`);
    if (message.referable) into.push(message.controlId);
  };
  for (let i = 0; i < 150; i++) await send(ackedBefore);

  // Keep sending while the backup runs: it must be consistent, not stop intake.
  let loading = true;
  const during: string[] = [];
  const load = (async () => {
    while (loading) await send(during);
  })();
  const out = path.join(tempDir(t, 'backups-'), 'caraloom.tar.gz');
  const result = await backupDataDir(harness.dataDir, out);
  loading = false;
  await load;
  t.true(during.length > 0, 'intake went on during the backup');
  t.true(result.databases.includes('connector.db'));
  t.is(statSync(out).mode & 0o777, 0o600, 'the backup file is 0600');

  const restored = path.join(tempDir(t, 'restored-'), 'data');
  t.deepEqual(restoreDataDir(out, restored).databases, result.databases);
  t.is(statSync(restored).mode & 0o777, 0o700);
  for (const name of readdirSync(restored)) t.is(statSync(path.join(restored, name)).mode & 0o777, 0o600, `${name} is 0600`);

  const journal = new SqliteJournal({ file: path.join(restored, 'connector.db') });
  t.teardown(() => journal.close());
  const items = await journal.list({ queue: outboxQueue, limit: 100_000 });
  const queued = items.filter((item) => item.meta.action === 'refer').map((item) => String(item.meta.controlId));
  t.is(new Set(queued).size, queued.length, 'no message twice');
  const present = new Set(queued);
  t.deepEqual(ackedBefore.filter((id) => !present.has(id)), [], 'every message acked before the backup is in it');
  t.true(queued.every((id) => ackedBefore.includes(id) || during.includes(id)), 'nothing that was never acked');
});

test('restore refuses a folder that is not empty and a file that is not a backup', (t) => {
  const folder = tempDir(t);
  writeFileSync(path.join(folder, 'connector.db'), 'x');
  const bogus = path.join(tempDir(t), 'bogus.tar.gz');
  writeFileSync(bogus, 'not a tarball');
  t.throws(() => restoreDataDir(bogus, folder), { message: /is not empty/ });
  t.throws(() => restoreDataDir(bogus, path.join(tempDir(t), 'new')), { message: /is not a CaraLoom backup/ });
});

test('caraloom backup leaves the data key out and says where it wrote', async (t) => {
  const data = tempDir(t);
  const journal = new SqliteJournal({ file: path.join(data, 'connector.db') });
  await journal.close();
  writeFileSync(path.join(data, 'data-key'), 'k'.repeat(44), { mode: 0o600 });
  writeFileSync(path.join(data, 'relay-secrets'), '# none\n', { mode: 0o600 });
  const out = path.join(tempDir(t), 'b.tar.gz');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli-entry.ts', 'backup', '--data', data, '--out', out], { encoding: 'utf8', env: { ...process.env, CARALOOM_LOG_LEVEL: 'silent' } });
  t.is(run.status, 0, run.stderr);
  t.regex(run.stdout, /backed up connector\.db and 1 other file\(s\) to .*b\.tar\.gz/);
  const listing = spawnSync('tar', ['-tzf', out], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
  t.deepEqual(listing, ['connector.db', 'relay-secrets']);
  const restored = path.join(tempDir(t), 'r');
  mkdirSync(restored);
  const back = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli-entry.ts', 'restore', '--from', out, '--data', restored], { encoding: 'utf8' });
  t.is(back.status, 0, back.stderr);
  t.true(existsSync(path.join(restored, 'connector.db')));
  t.false(existsSync(path.join(restored, 'data-key')));
});
