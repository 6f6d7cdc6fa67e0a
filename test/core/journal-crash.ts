import { spawn } from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { tempDir } from '../helpers/temp.js';

test('sqlite journal killed with SIGKILL mid-write loses nothing it committed', async (t) => {
  const file = path.join(tempDir(t), 'journal.db');
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/fixtures/journal-writer.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const committed: string[] = [];
  let buffered = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) committed.push(...line.split(' '));
      if (committed.length >= 2_000 && !child.killed) {
        child.kill('SIGKILL');
      }
    });
    child.on('exit', () => resolve());
  });
  const journal = new SqliteJournal({ file });
  t.teardown(() => journal.close());
  const missing: string[] = [];
  for (const key of committed) if ((await journal.getByKey('q', key)) === undefined) missing.push(key);
  t.true(committed.length >= 2_000);
  t.deepEqual(missing, []);
});
