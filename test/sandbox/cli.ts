import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { tempDir } from '../helpers/temp.js';
import { call } from './_harness.js';

const entry = fileURLToPath(new URL('../helpers/cli-entry.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(t: ExecutionContext, args: string[]): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: root, env: { ...process.env, CARALOOM_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exit.then(() => undefined);
  });
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function listening(spawned: Spawned): Promise<string> {
  for (;;) {
    const match = /^sandbox listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(spawned.stdout());
    if (match !== null) return match[1]!;
    if (spawned.child.exitCode !== null) throw new Error(`exited early: ${spawned.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test.serial('sandbox key prints a new key as the last line of stdout', async (t) => {
  const data = tempDir(t);
  const spawned = run(t, ['sandbox', 'key', '--data', data, '--email', 'dev@example.com']);
  t.is(await spawned.exit, 0);
  t.regex(spawned.stdout().trimEnd().split('\n').at(-1)!, /^clk_sandbox_[A-Za-z0-9]{32}$/);
});

test.serial('sandbox key refuses an address that is not one', async (t) => {
  const spawned = run(t, ['sandbox', 'key', '--data', tempDir(t), '--email', 'nobody']);
  t.is(await spawned.exit, 2);
});

test.serial('sandbox prints exactly one listening line, serves the key, and exits 0 on sigterm', async (t) => {
  const data = tempDir(t);
  const issued = run(t, ['sandbox', 'key', '--data', data]);
  await issued.exit;
  const key = issued.stdout().trimEnd().split('\n').at(-1)!;
  const server = run(t, ['sandbox', '--port', '0', '--data', data]);
  const url = await listening(server);
  const response = await call(url, key, '/v1/clinicians/search?limit=1');
  server.child.kill('SIGTERM');
  t.deepEqual({ status: response.status, code: await server.exit, stdout: server.stdout() }, { status: 200, code: 0, stdout: `sandbox listening on ${url}\n` });
});

test.serial('sandbox takes rate limits from the config file and flags win over it', async (t) => {
  const data = tempDir(t);
  const file = path.join(data, 'caraloom.yaml');
  writeFileSync(file, 'sandbox:\n  ratePerMinute: 1\n  ratePerDay: 1\n');
  const issued = run(t, ['sandbox', 'key', '--data', data]);
  await issued.exit;
  const key = issued.stdout().trimEnd().split('\n').at(-1)!;
  const server = run(t, ['sandbox', '--port', '0', '--data', data, '--config', file, '--rate-per-day', '0']);
  const { body } = await call(await listening(server), key, '/v1/geo/zip/78701');
  t.deepEqual({ minute: body.rate.minute.limit, day: body.rate.day.limit }, { minute: 1, day: null });
});

test.serial('sandbox refuses a bad config file before listening, naming the path', async (t) => {
  const data = tempDir(t);
  const file = path.join(data, 'bad.yaml');
  writeFileSync(file, 'sandbox:\n  ratePerMinute: lots\n  colour: blue\n');
  const spawned = run(t, ['sandbox', '--port', '0', '--data', data, '--config', file]);
  t.deepEqual({ code: await spawned.exit, stdout: spawned.stdout() }, { code: 2, stdout: '' });
  t.regex(spawned.stderr(), /sandbox\.ratePerMinute/);
});

test.serial('sandbox refuses a port that is not a number', async (t) => {
  const spawned = run(t, ['sandbox', '--port', 'abc', '--data', tempDir(t)]);
  t.is(await spawned.exit, 2);
  t.regex(spawned.stderr(), /sandbox.port: expected an integer from 0 to 65535/);
});
