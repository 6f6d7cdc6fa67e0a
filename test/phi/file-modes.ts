import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, lstatSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { checkDataModes, openEntries } from '../../core/fs-modes.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { MllpClient } from '../../core/mllp/client.js';
import { sampleFile } from '../helpers/corpus.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';

/** `caraloom up` started by a shell whose umask is 000, so nothing is private unless we make it so. */
function up(t: ExecutionContext, data: string, ...extra: string[]) {
  const args = ['--import', 'tsx', path.resolve('test/helpers/cli-entry.ts'), 'up', '--data', data, '--sandbox-port', '0', '--mllp-port', '0', '--http-port', '0', '--relay-port', '0', '--console-port', '0', ...extra];
  const child = spawn('/bin/sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CARALOOM_LOG_LEVEL: 'warn' } });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

/** Mode of every entry as it was when seen, folders marked with a trailing `/`. */
function modes(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (entry: string) => {
    let stat: import('node:fs').Stats;
    try {
      stat = lstatSync(entry);
    } catch (error) {
      // A store's write-then-rename temp file may be renamed away between readdir and lstat.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && entry.endsWith('.tmp')) return;
      throw error;
    }
    found[path.relative(dir, entry) || '.'] = `0${(stat.mode & 0o777).toString(8)}${stat.isDirectory() ? '/' : ''}`;
    if (stat.isDirectory()) for (const name of readdirSync(entry)) walk(path.join(entry, name));
  };
  walk(dir);
  return found;
}

test.serial('under umask 000 caraloom up keeps the data folder 0700 and every file in it 0600, wal and shm included', async (t) => {
  const data = path.join(tempDir(t), 'data');
  const service = up(t, data);
  await eventually(() => /connector listening on mllp:\/\/127\.0\.0\.1:(\d+)/.test(service.stdout()), { timeoutMs: 60_000, intervalMs: 100 });
  const port = Number(/connector listening on mllp:\/\/127\.0\.0\.1:(\d+)/.exec(service.stdout())![1]);
  const client = new MllpClient({ host: '127.0.0.1', port, timeoutMs: 15_000 });
  t.regex((await client.send(sampleFile('hl7/adt-a03-home-health.hl7'))).toString('utf8'), /\rMSA\|AA\|/);
  await client.close();
  await eventually(() => existsSync(path.join(data, 'received-events.jsonl')), { timeoutMs: 30_000, intervalMs: 100 });

  const seen = modes(data);
  t.true(['connector.db', 'connector.db-wal', 'connector.db-shm', 'relay.db', 'demo-key', 'received-events.jsonl'].every((name) => name in seen), Object.keys(seen).join(' '));
  const open = Object.entries(seen).filter(([, mode]) => mode !== '0700/' && mode !== '0600');
  t.deepEqual(open, [], 'no folder other than 0700 and no file other than 0600');
  service.child.kill('SIGINT');
  t.is(await service.exit, 0);
});

test.serial('a data folder others can read is refused at start, naming it, and --fix-permissions repairs it', async (t) => {
  const data = path.join(tempDir(t), 'data');
  mkdirSync(data);
  chmodSync(data, 0o755);
  writeFileSync(path.join(data, 'export.jsonl'), 'x\n', { mode: 0o644 });
  chmodSync(path.join(data, 'export.jsonl'), 0o644);

  const refused = up(t, data);
  t.is(await refused.exit, 2);
  t.true(refused.stderr().includes(data), refused.stderr());
  t.regex(refused.stderr(), /readable by other users \(mode 0755\).*--fix-permissions/);
  t.is(statSync(data).mode & 0o777, 0o755, 'a refusal changes nothing');

  const fixed = up(t, data, '--fix-permissions');
  await eventually(() => /connector listening on mllp:/.test(fixed.stdout()), { timeoutMs: 60_000, intervalMs: 100 });
  t.is(statSync(data).mode & 0o777, 0o700);
  t.is(statSync(path.join(data, 'export.jsonl')).mode & 0o777, 0o600);
  fixed.child.kill('SIGINT');
  t.is(await fixed.exit, 0);
});

test.serial('a journal opened under umask 000 makes its database, wal and shm 0600', (t) => {
  const dir = tempDir(t);
  const previous = process.umask(0);
  t.teardown(() => process.umask(previous));
  const file = path.join(dir, 'j', 'connector.db');
  const journal = new SqliteJournal({ file });
  t.teardown(() => journal.close());
  for (const name of [file, `${file}-wal`, `${file}-shm`]) t.is(statSync(name).mode & 0o777, 0o600, name);
  t.is(statSync(path.dirname(file)).mode & 0o777, 0o700);
});

test.serial('the check names a file others can read below a private folder and repairs it with fix', (t) => {
  const dir = tempDir(t);
  const previous = process.umask();
  t.teardown(() => process.umask(previous));
  mkdirSync(path.join(dir, 'backups'), { mode: 0o700 });
  writeFileSync(path.join(dir, 'backups', 'b.tar.gz'), 'x', { mode: 0o600 });
  chmodSync(path.join(dir, 'backups', 'b.tar.gz'), 0o640);
  writeFileSync(path.join(dir, 'caraloom.yaml'), 'log: {}\n');
  chmodSync(path.join(dir, 'caraloom.yaml'), 0o644);
  const error = t.throws(() => checkDataModes(dir), { message: /b\.tar\.gz is readable by other users \(mode 0640\)/ });
  t.is((error as { code?: string }).code, 'DATA_MODE_OPEN');
  t.deepEqual(checkDataModes(dir, { fix: true }).fixed, [path.join(dir, 'backups', 'b.tar.gz')]);
  t.deepEqual(openEntries(dir), []);
});
