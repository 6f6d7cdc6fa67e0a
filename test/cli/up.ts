import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { MllpClient } from '../../core/mllp/client.js';
import { sampleFile } from '../helpers/corpus.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';

const until = (check: () => boolean, ms = 30_000) => eventually(check, { timeoutMs: ms, intervalMs: 100 });

test('caraloom up runs the three flows together: an A03 becomes a referral whose events reach the demo subscriber', async (t) => {
  const data = tempDir(t);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve('test/helpers/cli-entry.ts'), 'up', '--data', data, '--sandbox-port', '0', '--mllp-port', '0', '--http-port', '0', '--relay-port', '0', '--console-port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CARALOOM_LOG_LEVEL: 'warn' } },
  );
  t.teardown(() => child.kill('SIGKILL'));
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.resume();
  await until(() => /connector listening on http:/.test(stdout));

  for (const service of ['sandbox listening on http://127.0.0.1:', 'relay listening on http://127.0.0.1:', 'connector listening on mllp://127.0.0.1:']) t.true(stdout.includes(service), service);
  t.regex(stdout, /npx caraloom send --port \d+ samples\/hl7\/adt-a03-home-health\.hl7/, 'it says what to try next');
  t.is(statSync(path.join(data, 'demo-key')).mode & 0o777, 0o600, 'the demo key is private');

  const mllp = /connector listening on mllp:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)!;
  const client = new MllpClient({ host: '127.0.0.1', port: Number(mllp[1]), timeoutMs: 15_000 });
  const ack = (await client.send(sampleFile('hl7/adt-a03-home-health.hl7'))).toString('utf8');
  await client.close();
  t.regex(ack, /\rMSA\|AA\|/);

  const events = path.join(data, 'received-events.jsonl');
  const types = () => (existsSync(events) ? readFileSync(events, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { event: { type: string } }).event.type) : []);
  await until(() => types().includes('referral.matched'));
  t.true(types().includes('referral.created'));

  const http = /connector listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
  const token = readFileSync(path.join(data, 'connector-token'), 'utf8').trim();
  const posted = await fetch(`${http}/fhir`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
    body: sampleFile('fhir/discharge-bundle.json').toString('utf8'),
  });
  await posted.arrayBuffer();
  t.is(posted.status, 202, 'the FHIR door is open with the demo token');

  // Step 8: a console user, then the discharge in the console's message list.
  const added = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('test/helpers/cli-entry.ts'), 'console', 'user', 'add', 'ana', '--role', 'phi', '--data', data], { input: 'walkthrough-password-0123\n', encoding: 'utf8' });
  t.is(added.status, 0, added.stderr);
  const consoleUrl = /console listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
  const form = await fetch(`${consoleUrl}/login`);
  const loginCookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const login = await fetch(`${consoleUrl}/login`, { method: 'POST', redirect: 'manual', headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, name: 'ana', password: 'walkthrough-password-0123', next: '/messages' }).toString() });
  await login.arrayBuffer();
  t.is(login.status, 302, 'ana logs in');
  const session = login.headers.getSetCookie().find((line) => line.startsWith('caraloom_console='))!.split(';')[0]!;
  const messages = await fetch(`${consoleUrl}/messages`, { headers: { cookie: session } });
  t.is(messages.status, 200);
  t.regex(await messages.text(), /RB20261120143012001/, 'the walkthrough discharge is in the console');

  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  t.is(await exited, 0, 'SIGINT stops every service gracefully with exit 0');
});
