import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { tempDir } from '../helpers/temp.js';
import { eventBody, secret, startSubscriber, until } from './_support.js';
import { request } from 'undici';
import { signCaraloom } from '../../core/signature.js';

/** Start the relay child and resolve with its URL. */
function startChild(t: ExecutionContext, dataDir: string, config: unknown): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/relay/_relay-child.ts'), dataDir, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ child, url: line! });
    });
    child.once('exit', (code) => reject(new Error(`relay child exited early (${code})`)));
  });
}

test('a relay killed with sigkill after accepting events delivers all of them to every subscriber after a restart', async (t) => {
  let up = false;
  const a = await startSubscriber(t, () => ({ status: up ? 200 : 503 }));
  const b = await startSubscriber(t, () => ({ status: up ? 200 : 503 }));
  const dataDir = tempDir(t, 'relay-crash-');
  const config = {
    port: 0,
    secrets: [secret],
    breaker: { failures: 0 },
    subscribers: [
      { name: 'a', kind: 'http', url: a.url, timeout: '500ms', retrySchedule: Array(20).fill('50ms') },
      { name: 'b', kind: 'http', url: b.url, timeout: '500ms', retrySchedule: Array(20).fill('50ms'), ordering: 'subscriber' },
    ],
  };
  const first = await startChild(t, dataDir, config);
  const ids = Array.from({ length: 40 }, (_, index) => `evt_crash_${index}`);
  for (const id of ids) {
    const body = eventBody(id, { referral: `ref_${id.slice(-1)}` });
    const response = await request(`${first.url}/webhooks/caraloom`, { method: 'POST', headers: { 'x-caraloom-signature': signCaraloom(secret, body) }, body });
    await response.body.dump();
    t.is(response.statusCode, 200);
  }
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));
  t.is(a.received.length + b.received.length, 0, 'nothing was delivered before the crash');

  up = true;
  await startChild(t, dataDir, config);
  await until(() => new Set(a.received.map((got) => JSON.parse(got.body).id)).size === ids.length && new Set(b.received.map((got) => JSON.parse(got.body).id)).size === ids.length, 30_000);
  t.deepEqual([...new Set(a.received.map((got) => JSON.parse(got.body).id))].sort(), [...ids].sort());
  t.deepEqual(b.received.map((got) => JSON.parse(got.body).id), ids, 'the strictly ordered subscriber got them in order');
});
