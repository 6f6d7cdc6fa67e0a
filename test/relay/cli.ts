import { execFile, spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { silentLogger } from '../../core/logger.js';
import { signCaraloom } from '../../core/signature.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { tempDir } from '../helpers/temp.js';
import { eventBody, secret, startRelay, startSubscriber, until } from './_support.js';

const run = promisify(execFile);
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['--import', 'tsx', path.resolve('test/helpers/cli-entry.ts'), ...args], { env: { ...process.env, CARALOOM_LOG_LEVEL: 'silent', ...env } });

async function sandbox(t: ExecutionContext) {
  const service = createSandbox({ config: sandboxConfig({ port: 0, clinicians: 200 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: tempDir(t, 'sandbox-'), logger: silentLogger() });
  const [listener] = await service.start();
  t.teardown(() => service.stop());
  return { url: listener!.url, key: await service.issueKey() };
}

test('relay register stores the secret in a 0600 file and never prints it', async (t) => {
  const api = await sandbox(t);
  const data = tempDir(t, 'relay-cli-');
  const { stdout } = await cli(['relay', 'register', '--api-url', api.url, '--url', 'http://127.0.0.1:9/webhooks/caraloom', '--data', data], { CARALOOM_API_KEY: api.key });
  const file = path.join(data, 'relay-secrets');
  t.regex(stdout, /^registered webhook wh_\S+ for http:\/\/127\.0\.0\.1:9\/webhooks\/caraloom/);
  t.is(statSync(file).mode & 0o777, 0o600);
  const stored = readFileSync(file, 'utf8').split('\n').filter((line) => line.startsWith('whsec_'));
  t.is(stored.length, 1);
  t.false(stdout.includes(stored[0]!));
});

test('relay register --print-env prints the env line instead', async (t) => {
  const api = await sandbox(t);
  const data = tempDir(t, 'relay-cli-');
  const { stdout } = await cli(['relay', 'register', '--api-url', api.url, '--print-env', '--data', data], { CARALOOM_API_KEY: api.key });
  t.regex(stdout, /\nCARALOOM_WEBHOOK_SECRET=whsec_\S+\n$/);
});

test('relay register without an api key says how to get one', async (t) => {
  const error = await t.throwsAsync(cli(['relay', 'register', '--api-url', 'http://127.0.0.1:9', '--data', tempDir(t)], { CARALOOM_API_KEY: '' }));
  t.regex(String((error as { stderr?: string }).stderr), /set CARALOOM_API_KEY/);
});

test('events, deliveries and subscribers commands read and replay the relay journal', async (t) => {
  const data = tempDir(t, 'relay-cli-');
  const config = path.join(data, 'caraloom.yaml');
  writeFileSync(config, `relay:\n  subscribers:\n    - name: ehr\n      kind: http\n      url: http://127.0.0.1:9/unused\n`);
  const endpoint = await startSubscriber(t, () => ({ status: 400 }));
  const relay = await startRelay(t, { subscribers: [{ name: 'ehr', kind: 'http', url: endpoint.url }] }, { dataDir: data });
  await relay.send(eventBody('evt_cli_1'));
  await until(async () => (await relay.relay.journal()!.counts('relay.sub.ehr')).dead === 1);
  await relay.relay.stop();

  const events = await cli(['events', 'list', '--config', config, '--data', data]);
  t.regex(events.stdout, /^eventId\s+type\s+referralId\s+receivedAt\s+subscribers\nevt_cli_1\s+referral\.matched\s+ref_7QK2M9\s+\S+\s+ehr\n$/);
  const dead = await cli(['deliveries', 'list', '--status', 'dead', '--subscriber', 'ehr', '--json', '--config', config, '--data', data]);
  t.like(JSON.parse(dead.stdout)[0], { subscriber: 'ehr', eventId: 'evt_cli_1', status: 'dead', lastError: 'HTTP 400' });
  const status = await cli(['subscribers', 'status', '--json', '--config', config, '--data', data]);
  t.like(JSON.parse(status.stdout)[0], { name: 'ehr', state: 'healthy', backlog: 0, dead: 1 });
  const replay = await cli(['deliveries', 'replay', '--subscriber', 'ehr', '--dead', '--config', config, '--data', data]);
  t.is(replay.stdout, '1 dead deliveries of ehr queued again\n');
  const after = await cli(['subscribers', 'status', '--json', '--config', config, '--data', data]);
  t.like(JSON.parse(after.stdout)[0], { backlog: 1, dead: 0 });
});

test('caraloom relay with a quick file subscriber prints its address and writes each event as a line', async (t) => {
  const data = tempDir(t, 'relay-cli-');
  const sink = path.join(data, 'events.jsonl');
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/helpers/cli-entry.ts'), 'relay', '--port', '0', '--data', data, '--subscriber', `demo=file:${sink}`], {
    env: { ...process.env, CARALOOM_LOG_LEVEL: 'silent', CARALOOM_WEBHOOK_SECRET: secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  const line = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      // pino writes JSON log lines to stdout too; the address line is plain text.
      const found = out.split('\n').find((entry) => entry.startsWith('relay listening on '));
      if (found !== undefined) resolve(found);
    });
  });
  t.regex(line, /^relay listening on http:\/\/127\.0\.0\.1:\d+$/);
  const body = eventBody('evt_cli_file');
  const response = await fetch(`${line.slice('relay listening on '.length)}/webhooks/caraloom`, { method: 'POST', headers: { 'x-caraloom-signature': signCaraloom(secret, body) }, body });
  t.is(response.status, 200);
  await until(() => {
    try {
      return readFileSync(sink, 'utf8').includes('evt_cli_file');
    } catch {
      return false;
    }
  });
  t.like(JSON.parse(readFileSync(sink, 'utf8').trim()), { event: { id: 'evt_cli_file' } });
  child.kill('SIGTERM');
  const code = await new Promise((resolve) => child.once('exit', resolve));
  t.is(code, 0);
});
