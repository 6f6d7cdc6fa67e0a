/**
 * Live reload of the relay (issue #15 §4): a relay started by the CLI re-reads
 * its config file on SIGHUP (`caraloom reload`) or `POST /admin/reload` —
 * new subscribers get the next events, config-provided secrets rotate — and
 * keeps its running set when the file is bad.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { silentLogger } from '../../core/logger.js';
import { signCaraloom } from '../../core/signature.js';
import { relayConfigSchema } from '../../relay/config.js';
import { createRelay } from '../../relay/service.js';
import { caraloom, startCliService } from '../helpers/cli-service.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';
import { eventBody, secret } from './_support.js';

const secretB = 'whsec_Zx7Kq2Lm9Np4Rt6Vw8Yb1Cd3Ef5Gh7Jk';
const operator = 'operator-token-0123456789';

/** The `relay:` config with these secrets and file subscribers (name → file). */
function relayYaml(dir: string, secrets: string[], subscribers: string[]): string {
  return [
    'log:\n  level: silent',
    'relay:',
    `  secrets: [${secrets.join(', ')}]`,
    `  adminTokens:\n    - { name: ops, token: ${operator}, role: operator }`,
    '  subscribers:',
    ...subscribers.map((name) => `    - { name: ${name}, kind: file, path: ${path.join(dir, `${name}.jsonl`)} }`),
    '',
  ].join('\n');
}

const idsIn = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line).event.id) : []);

test('a reload adds a subscriber and rotates config secrets; a bad config keeps the running set', async (t) => {
  const dir = tempDir(t, 'relay-reload-');
  const data = path.join(dir, 'data');
  const config = path.join(dir, 'caraloom.yaml');
  writeFileSync(config, relayYaml(dir, [secret], ['one']));
  const service = await startCliService(t, ['relay', '--config', config, '--data', data, '--port', '0'], 1);
  const url = service.urls[0]!;
  const post = async (id: string, key: string) => {
    const body = eventBody(id, { referral: `ref_${id}` });
    return (await fetch(`${url}/webhooks/caraloom`, { method: 'POST', headers: { 'x-caraloom-signature': signCaraloom(key, body) }, body })).status;
  };
  const one = path.join(dir, 'one.jsonl');
  const two = path.join(dir, 'two.jsonl');

  t.is(await post('evt_r1', secret), 200);
  await eventually(() => idsIn(one).includes('evt_r1'));

  writeFileSync(config, relayYaml(dir, [secretB], ['one', 'two']));
  const reloaded = await caraloom(['reload', '--data', data]);
  t.is(reloaded.code, 0, reloaded.stderr);
  t.regex(reloaded.stdout, /^relay: reloaded$/m);
  t.regex(reloaded.stdout, /^ {2}subscribers {2}one,two$/m);
  t.is(await post('evt_r2', secret), 401, 'the secret taken out of config no longer verifies');
  t.is(await post('evt_r2', secretB), 200);
  await eventually(() => idsIn(two).includes('evt_r2') && idsIn(one).includes('evt_r2'));

  // A broken file: the answer names it, and events still go to both subscribers under secret B.
  writeFileSync(config, `${relayYaml(dir, [secretB], ['one'])}  port: [\n`);
  const failed = await caraloom(['reload', '--data', data]);
  t.is(failed.code, 1);
  t.regex(failed.stderr, /^relay: reload failed; the running set stays:$/m);
  t.true(failed.stderr.includes(`- ${config}: line `), failed.stderr);
  t.is(await post('evt_r3', secretB), 200);
  await eventually(() => idsIn(two).includes('evt_r3') && idsIn(one).includes('evt_r3'));

  // The admin endpoint behind the admin guard: no token 401; an operator reloads.
  writeFileSync(config, relayYaml(dir, [secretB], ['two']));
  t.is((await fetch(`${url}/admin/reload`, { method: 'POST' })).status, 401);
  const response = await fetch(`${url}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${operator}` } });
  t.is(response.status, 200);
  t.like(((await response.json()) as { data: unknown }).data, { ok: true, service: 'relay', detail: { subscribers: 'two' } });
  t.is(await post('evt_r4', secretB), 200);
  await eventually(() => idsIn(two).includes('evt_r4'));
  const event = await fetch(`${url}/admin/events/evt_r4`, { headers: { authorization: `Bearer ${operator}` } });
  t.deepEqual(((await event.json()) as { data: { subscribers: string[] } }).data.subscribers, ['two'], 'a subscriber taken out of config gets no new events');

  // The same from another machine: caraloom reload --url, the token from the environment.
  const remote = await caraloom(['reload', '--url', url], { CARALOOM_ADMIN_TOKEN: operator });
  t.is(remote.code, 0, remote.stderr);
  t.regex(remote.stdout, /^relay: reloaded\n {2}subscribers {2}two$/m);
  const wrong = await caraloom(['reload', '--url', url], { CARALOOM_ADMIN_TOKEN: 'not-the-token-0123456789' });
  t.is(wrong.code, 2);
  t.regex(wrong.stderr, /answered 401/);

  const audit = await fetch(`${url}/admin/audit?action=mappings-reloaded`, { headers: { authorization: `Bearer ${operator}` } });
  const entries = ((await audit.json()) as { data: Array<{ actor: string; detail: Record<string, unknown> }> }).data;
  t.deepEqual(entries.map((entry) => [entry.actor, entry.detail.subscribers]), [['signal:SIGHUP', 'one,two'], ['token:ops', 'two'], ['token:ops', 'two']]);
  t.is(await service.stop(), 0);
});

test('a broken mllp template fails the reload with its file and line; the running subscribers stay', async (t) => {
  const dir = tempDir(t, 'relay-reload-template-');
  const template = path.join(dir, 'rri.yaml');
  copyFileSync(path.resolve('mappings/relay/referral-rri-i12.yaml'), template);
  const sink = path.join(dir, 'one.jsonl');
  const base = { port: 0, secrets: [secret], subscribers: [{ name: 'one', kind: 'file', path: sink }] };
  let next: Record<string, unknown> = base;
  const relay = createRelay({
    config: relayConfigSchema.parse(base),
    store: { kind: 'sqlite', synchronous: 'normal' },
    dataDir: path.join(dir, 'data'),
    logger: silentLogger(),
    env: {},
    readConfig: () => relayConfigSchema.parse(next),
  });
  const [listener] = await relay.start();
  t.teardown(() => relay.stop());
  next = { ...base, subscribers: [...base.subscribers, { name: 'ehr', kind: 'mllp', host: '127.0.0.1', port: 9, mapping: template }] };
  writeFileSync(template, `${readFileSync(template, 'utf8')}segments: [\n`);
  const result = await relay.reload({ actor: 'test' });
  t.false(result.ok);
  t.regex(result.ok ? '' : result.problems.join('\n'), new RegExp(`^${template.replaceAll('.', '\\.')}: line \\d+, column \\d+: `, 'm'));
  const body = eventBody('evt_t1');
  t.is((await fetch(`${listener!.url}/webhooks/caraloom`, { method: 'POST', headers: { 'x-caraloom-signature': signCaraloom(secret, body) }, body })).status, 200);
  await eventually(() => idsIn(sink).includes('evt_t1'));
  const entries = await relay.journal()!.audit.list({ action: 'mappings-reloaded', limit: 10 });
  t.is(entries.length, 0, 'a failed reload changes nothing, so no reload is on the trail');
  const refusals = await relay.journal()!.audit.list({ action: 'reload-refused', limit: 10 });
  t.deepEqual(refusals.map((entry) => [entry.actor, entry.subject, entry.detail.problems]), [['test', 'relay.subscribers', result.ok ? 0 : result.problems.length]], 'the refusal is, with its problem count and not their text');
});
