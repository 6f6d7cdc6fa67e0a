/**
 * Live reload of mapping files (issue #15 §4): a connector started by the CLI
 * takes a changed mapping on SIGHUP (`caraloom reload`) or `POST
 * /admin/reload`, keeps its running set when a file is bad, and every
 * message records the mapping name and content hash it was mapped with.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { silentLogger } from '../../core/logger.js';
import { connectorConfig } from '../../connector/config.js';
import { outboxQueue } from '../../connector/outbox.js';
import { createConnector } from '../../connector/service.js';
import { caraloom, startCliService } from '../helpers/cli-service.js';
import { eventually, MAPPINGS_DIR, mllpClient, readAck, startApiStandIn, type ApiStandIn } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';
import { asEvent } from './_ingest.js';

const apiKey = 'clk_sandbox_reload0123456789';
const operator = 'operator-token-0123456789';
const viewer = 'viewer-token-0123456789';

/** First 12 hex of the SHA-256 of the file's bytes, computed here independently of the product. */
const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);

/** The shipped mappings copied into the test's folder, and the A03 mapping's `priority` set to `value`. */
function mappingsWith(dir: string): { dir: string; file: string; setPriority: (value: string) => void } {
  const copy = path.join(dir, 'mappings');
  cpSync(MAPPINGS_DIR, copy, { recursive: true });
  const file = path.join(copy, 'adt-a03-referral.yaml');
  const original = readFileSync(file, 'utf8');
  if (!original.includes('  priority:\n    value: routine\n')) throw new Error('the shipped A03 mapping changed: update this test');
  return { dir: copy, file, setPriority: (value) => writeFileSync(file, original.replace('  priority:\n    value: routine\n', `  priority:\n    value: ${value}\n`)) };
}

const message = (controlId: string) => Buffer.from(asEvent('A03', controlId), 'latin1');

async function admin(url: string, route: string, token: string, method = 'GET'): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${route}`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

async function requestFor(api: ApiStandIn, controlId: string): Promise<any> {
  await eventually(() => api.requests.some((request) => request.body?.external_id?.endsWith(`:${controlId}`)));
  return api.requests.find((request) => request.body?.external_id?.endsWith(`:${controlId}`))!.body;
}

test('sighup and post /admin/reload swap a changed mapping in, keep the running one when a file is bad, and each message records its hash', async (t) => {
  const dir = tempDir(t, 'connector-reload-');
  const data = path.join(dir, 'data');
  const mappings = mappingsWith(dir);
  const api = await startApiStandIn(t);
  const config = path.join(dir, 'caraloom.yaml');
  writeFileSync(config, [
    'log:\n  level: silent',
    'connector:',
    `  mappings: ${mappings.dir}`,
    '  http:\n    tokens: [hl7-token-0123456789]',
    `  admin:\n    tokens:\n      - { name: ops, token: ${operator}, role: operator }\n      - { name: look, token: ${viewer}, role: viewer }`,
    '  delivery:\n    jitter: 0',
    '',
  ].join('\n'));
  const service = await startCliService(t, ['connector', '--config', config, '--data', data, '--mllp-port', '0', '--http-port', '0', '--api-url', api.url], 2, { CARALOOM_API_KEY: apiKey });
  const [mllpUrl, httpUrl] = service.urls as [string, string];
  const mllp = mllpClient(t, Number(new URL(mllpUrl.replace('mllp', 'http')).port));
  const pidFile = path.join(data, 'connector.pid');
  t.is(statSync(pidFile).mode & 0o777, 0o600, 'the pid file is private');
  t.is(JSON.parse(readFileSync(pidFile, 'utf8')).pid, service.child.pid);

  const hashA = hashOf(mappings.file);
  t.is(readAck(await mllp.send(message('RL-1'))).code, 'AA');
  t.is((await requestFor(api, 'RL-1')).priority, 'routine');

  mappings.setPriority('urgent');
  const hashB = hashOf(mappings.file);
  t.not(hashB, hashA);
  const reloaded = await caraloom(['reload', '--data', data]);
  t.is(reloaded.code, 0, reloaded.stderr);
  t.regex(reloaded.stdout, new RegExp(`^connector: reloaded\\n[\\s\\S]*  adt-a03-referral\\.yaml  ${hashB}$`, 'm'));
  t.is(readAck(await mllp.send(message('RL-2'))).code, 'AA');
  t.is((await requestFor(api, 'RL-2')).priority, 'urgent', 'the new mapping maps the next message');

  // A bad file: the reload fails naming file:line, and the running set (B) keeps mapping.
  const broken = readFileSync(mappings.file, 'utf8').replace('    value: urgent\n', '    value: urgent\n    bogus: 1\n');
  writeFileSync(mappings.file, broken);
  // The loader names the line of the entry that holds the unknown key.
  const line = broken.split('\n').indexOf('  priority:') + 1;
  const failed = await caraloom(['reload', '--data', data]);
  t.is(failed.code, 1);
  t.regex(failed.stderr, /^connector: reload failed; the running set stays:$/m);
  t.true(failed.stderr.includes(`${mappings.file}:${line}:`), failed.stderr);
  t.is(readAck(await mllp.send(message('RL-3'))).code, 'AA');
  t.is((await requestFor(api, 'RL-3')).priority, 'urgent');

  // The admin endpoint: operator only, the same answer for the same bad file, then a good one.
  t.is((await admin(httpUrl, '/admin/reload', viewer, 'POST')).status, 403);
  const refused = await admin(httpUrl, '/admin/reload', operator, 'POST');
  t.is(refused.status, 422);
  t.is(refused.body.error.code, 'RELOAD_FAILED');
  t.true(refused.body.error.problems.some((problem: string) => problem.startsWith(`${mappings.file}:${line}:`)), JSON.stringify(refused.body));
  mappings.setPriority('asap');
  const hashC = hashOf(mappings.file);
  const accepted = await admin(httpUrl, '/admin/reload', operator, 'POST');
  t.is(accepted.status, 200);
  t.is(accepted.body.data.detail['adt-a03-referral.yaml'], hashC);
  t.is(readAck(await mllp.send(message('RL-4'))).code, 'AA');
  t.is((await requestFor(api, 'RL-4')).priority, 'asap');

  // Each message says which version mapped it, in the admin API's list and detail.
  const hashes: Record<string, string> = {};
  for (const controlId of ['RL-1', 'RL-2', 'RL-3', 'RL-4']) {
    const listed = await admin(httpUrl, `/admin/messages?controlId=${controlId}`, viewer);
    const detail = await admin(httpUrl, `/admin/messages/${listed.body.data[0].id}`, viewer);
    t.is(detail.body.data.mapping, 'adt-a03-referral');
    hashes[controlId] = detail.body.data.mappingHash;
  }
  t.deepEqual(hashes, { 'RL-1': hashA, 'RL-2': hashB, 'RL-3': hashB, 'RL-4': hashC });

  // Both good reloads are on the audit trail, by who asked, with the hashes.
  const audit = await admin(httpUrl, '/admin/audit?action=mappings-reloaded', operator);
  t.deepEqual(audit.body.data.map((entry: any) => [entry.actor, entry.detail['adt-a03-referral.yaml']]), [['signal:SIGHUP', hashB], ['token:ops', hashC]]);
  // So are the refused ones (the SIGHUP with the bad file, then the admin request), with a problem count only.
  const refusals = await admin(httpUrl, '/admin/audit?action=reload-refused', operator);
  t.deepEqual(refusals.body.data.map((entry: any) => [entry.actor, entry.subject, entry.detail.problems > 0]), [['signal:SIGHUP', 'connector.mappings', true], ['token:ops', 'connector.mappings', true]]);
  t.false(JSON.stringify(refusals.body).includes(mappings.file), 'the problems themselves stay in the log');

  t.is(await service.stop(), 0);
  t.false(existsSync(pidFile), 'the pid file is removed at stop');
  const first = JSON.parse((await caraloom(['messages', 'list', '--json', '--config', config, '--data', data])).stdout).find((row: any) => row.controlId === 'RL-1');
  const shown = await caraloom(['messages', 'show', String(first.id), '--config', config, '--data', data]);
  t.is(shown.code, 0, shown.stderr);
  t.like(JSON.parse(shown.stdout), { mapping: 'adt-a03-referral', mappingHash: hashA });
});

test('caraloom reload with no running service in the folder says so and exits 2', async (t) => {
  const result = await caraloom(['reload', '--data', tempDir(t, 'reload-none-')]);
  t.is(result.code, 2);
  t.regex(result.stderr, /no running connector, relay or up in /);
});

test('messages mapped during back-to-back reloads each match the one set their recorded hash names', async (t) => {
  const dir = tempDir(t, 'connector-reload-race-');
  const mappings = mappingsWith(dir);
  const api = await startApiStandIn(t);
  const connector = createConnector({
    config: connectorConfig({ mllp: { port: 0 }, http: { port: 0 }, delivery: { jitter: 0 } }),
    store: { kind: 'sqlite', synchronous: 'normal' },
    dataDir: path.join(dir, 'data'),
    apiUrl: api.url,
    apiKey,
    mappingsDir: mappings.dir,
    logger: silentLogger(),
  });
  await connector.start();
  t.teardown(() => connector.stop());
  const port = Number(new URL(connector.mllpUrl!.replace('mllp', 'http')).port);
  const versions = new Map<string, string>();
  for (const priority of ['routine', 'urgent']) {
    mappings.setPriority(priority);
    versions.set(hashOf(mappings.file), priority);
  }
  const clients = [mllpClient(t, port), mllpClient(t, port), mllpClient(t, port), mllpClient(t, port)];
  // One message before and one after the race fix both versions in the record; the race is in between.
  t.is(readAck(await clients[0]!.send(message('RACE-first'))).code, 'AA');
  const sends = clients.map(async (client, index) => {
    for (let n = 0; n < 15; n++) t.is(readAck(await client.send(message(`RACE-${index}-${n}`))).code, 'AA');
  });
  // Reload back and forth for as long as messages are coming in.
  let sending = true;
  let reloaded = 0;
  const reloads = (async () => {
    while (sending) {
      mappings.setPriority(reloaded % 2 === 0 ? 'urgent' : 'routine');
      t.true((await connector.reload({ actor: 'test' })).ok);
      reloaded += 1;
      // A reload may finish without touching the event loop (SQLite is synchronous): let the sockets in.
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  await Promise.all(sends);
  sending = false;
  await reloads;
  mappings.setPriority('urgent');
  t.true((await connector.reload({ actor: 'test' })).ok);
  t.is(readAck(await clients[0]!.send(message('RACE-last'))).code, 'AA');
  const items = await connector.journal!.list({ queue: outboxQueue, limit: 100 });
  t.is(items.length, 62);
  const versionOf = (controlId: string) => versions.get(String(items.find((item) => item.meta.controlId === controlId)?.meta.mappingHash));
  t.deepEqual([versionOf('RACE-first'), versionOf('RACE-last')], ['routine', 'urgent']);
  t.true(reloaded > 0, 'reloads ran while messages came in');
  for (const item of items) {
    const hash = String(item.meta.mappingHash);
    t.is((item.payload as { request: { body: { priority: string } } }).request.body.priority, versions.get(hash) ?? `no version has hash ${hash}`, `message ${item.meta.controlId} hash ${hash}`);
  }
});
