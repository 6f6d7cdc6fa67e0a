/**
 * The HL7 v2 guarantees hold for FHIR: a referral answered 202 is delivered
 * when the API comes back from an outage, and when the connector process
 * was killed with SIGKILL right after answering — once each, readable in
 * the sandbox through its FHIR API.
 */
import path from 'node:path';
import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { listenHttp } from '../../core/http/listen.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { silentLogger } from '../../core/logger.js';
import { createSandbox, issueKey, sandboxConfig } from '../../sandbox/service.js';
import { MAPPINGS_DIR, eventually } from '../helpers/connector.js';
import { startApiProxy } from '../helpers/api-proxy.js';
import { exited, spawnReady } from '../helpers/child.js';
import { tempDir } from '../helpers/temp.js';
import { call, fhirSample, startFhirConnector, startRealSandbox, TOKEN } from './_fhir.js';

/** The sample with its own order number and patient, so N of them are N referrals. */
function numbered(i: number): any {
  const body = fhirSample('servicerequest-contained.json');
  body.identifier[0].value = `ORD-KILL-${i}`;
  body.contained[0].identifier[0].value = `MRN-KILL-${i}`;
  return body;
}

test('a referral answered 202 while the api is down is delivered when it comes back', async (t) => {
  const clock = new ManualClock();
  // Reserve a port, then free it: the API is down (connection refused).
  const placeholder = await listenHttp((_req, res) => res.end(), '127.0.0.1', 0);
  const port = placeholder.port;
  await placeholder.close(0);
  // The sandbox's key exists before the sandbox runs (as a key issued earlier would).
  const sandboxDir = tempDir(t, 'caraloom-sandbox-');
  const { key } = await issueKey(sandboxDir, 'outage@example.com', Date.now());
  const connector = await startFhirConnector(t, { apiUrl: `http://127.0.0.1:${port}`, apiKey: key, clock });
  const posted = await connector.post('', fhirSample('bundle-transaction.json'));
  t.is(posted.status, 202);
  const statusUrl = posted.headers.get('content-location')!;
  await eventually(async () => (await connector.connector.journal!.list({ queue: 'connector.outbox' }))[0]!.attempts === 1);
  const waiting = await call(statusUrl);
  t.is(waiting.status, 202);
  t.regex(waiting.headers.get('x-progress')!, /1 delivery attempt/);

  // The API comes back on the same address; the retry is due 5 s after the failure.
  const sandbox = createSandbox({ config: sandboxConfig({ port, ratePerMinute: 0, ratePerDay: 0 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: sandboxDir, logger: silentLogger() });
  await sandbox.start();
  t.teardown(() => sandbox.stop());
  clock.advance(5_000);
  connector.connector.poke();
  await eventually(async () => (await connector.connector.journal!.counts('connector.outbox')).delivered === 1);
  const done = await call(statusUrl);
  t.is(done.status, 200);
  t.is(done.body.resourceType, 'ServiceRequest');
  const read = await call(`${sandbox.url!}/v1/fhir/ServiceRequest/${done.body.id as string}`, { token: key });
  t.is(read.status, 200);
  const [item] = await connector.connector.journal!.list({ queue: 'connector.outbox' });
  t.is((await connector.connector.journal!.attempts(item!.id)).length, 2, 'one failed attempt, one delivery');
});


test('a connector killed with sigkill after answering 202 delivers every referral once after restart', async (t) => {
  t.timeout(60_000);
  const N = 6;
  const sandbox = await startRealSandbox(t);
  // A slow link to the API (300 ms per answer), so deliveries lag behind the 202s and the kill lands mid-way.
  const slow = { url: await startApiProxy(t, sandbox.url!, { delayMs: 300 }) };

  const dataDir = tempDir(t, 'caraloom-connector-');
  const args = [dataDir, slow.url, sandbox.key, MAPPINGS_DIR];
  const first = await spawnReady(t, 'test/connector/_fhir-child.ts', args);
  let accepted = 0;
  for (let i = 0; i < N; i++) {
    const answer = await call(`http://127.0.0.1:${first.port}/fhir/ServiceRequest`, { method: 'POST', json: numbered(i), token: TOKEN });
    if (answer.status === 202) accepted++;
  }
  first.child.kill('SIGKILL');
  await exited(first.child);
  t.is(accepted, N);

  const second = await spawnReady(t, 'test/connector/_fhir-child.ts', args);
  const journal = new SqliteJournal({ file: path.join(dataDir, 'connector.db') });
  t.teardown(() => journal.close());
  await eventually(async () => (await journal.counts('connector.outbox')).delivered === N, 40_000);
  second.child.kill('SIGTERM');
  await exited(second.child);

  const search = await sandbox.get('/v1/fhir/ServiceRequest?_count=50');
  t.is(search.body.total, N, 'exactly N ServiceRequests at the API');
  const orders = search.body.entry.flatMap((entry: any) => entry.resource.identifier.map((identifier: any) => identifier.value)).filter((value: string) => value.startsWith('p'));
  t.is(new Set(orders).size, N, 'one per order (pseudonymised order numbers, all different)');
});
