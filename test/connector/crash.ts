/**
 * Nothing ACKed is lost by `kill -9`: a connector child process ACKs N
 * discharges (deliveries to the real sandbox slowed down so some are still
 * waiting or in flight), is killed with SIGKILL, and after a restart on the
 * same data folder the sandbox holds exactly N referrals, one per message.
 */
import path from 'node:path';
import test from 'ava';
import { silentLogger } from '../../core/logger.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { sampleFile } from '../helpers/corpus.js';
import { MAPPINGS_DIR, eventually, mllpClient, readAck } from '../helpers/connector.js';
import { startApiProxy } from '../helpers/api-proxy.js';
import { exited, spawnReady } from '../helpers/child.js';
import { tempDir } from '../helpers/temp.js';

const N = 12;


test('a connector killed with sigkill after acking n messages delivers all n exactly once after restart', async (t) => {
  t.timeout(60_000);
  const sandbox = createSandbox({ config: sandboxConfig({ port: 0, ratePerMinute: 0, ratePerDay: 0 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: tempDir(t, 'caraloom-sandbox-'), logger: silentLogger() });
  await sandbox.start();
  t.teardown(() => sandbox.stop());
  const key = await sandbox.issueKey('crash@example.com');
  // A slow link to the API: answers take 300 ms, so deliveries lag behind the ACKs.
  const slow = { url: await startApiProxy(t, sandbox.url!, { delayMs: 300 }) };
  const referrals = async () => {
    const response = await fetch(`${sandbox.url}/v1/discharge-referrals?limit=100`, { headers: { authorization: `Bearer ${key}` } });
    return ((await response.json()) as { data: Array<{ external_id: string }> }).data;
  };

  const dataDir = tempDir(t, 'caraloom-connector-');
  const args = [dataDir, slow.url, key, MAPPINGS_DIR];
  const first = await spawnReady(t, 'test/fixtures/connector-child.ts', args);
  const client = mllpClient(t, first.port);
  const template = sampleFile('hl7/adt-a03-home-health.hl7').toString('utf8');
  let acked = 0;
  for (let i = 0; i < N; i++) {
    const message = template.replace('RB20261120143012001', `RBKILL${i}`).replaceAll('MRN10048213', `MRN3000${i}`);
    if (readAck(await client.send(message)).code === 'AA') acked++;
  }
  first.child.kill('SIGKILL');
  await exited(first.child);
  await client.close();
  t.is(acked, N);
  const before = (await referrals()).length;
  t.log(`delivered before the kill: ${before} of ${N}`);

  const second = await spawnReady(t, 'test/fixtures/connector-child.ts', args);
  // Read the restarted connector's journal from here (SQLite WAL allows a second reader). Items the
  // killed process held a lease on are taken over once the lease expires (3 × API timeout + 5 s).
  const journal = new SqliteJournal({ file: path.join(dataDir, 'connector.db') });
  t.teardown(() => journal.close());
  await eventually(async () => (await journal.counts('connector.outbox')).delivered === N, 40_000);
  second.child.kill('SIGTERM');
  await exited(second.child);

  const stored = await referrals();
  t.is(stored.length, N, 'exactly N referrals');
  t.deepEqual(stored.map((referral) => referral.external_id).sort(), Array.from({ length: N }, (_, i) => `RIVERBEND:RBKILL${i}`).sort());
  const counts = await journal.counts('connector.outbox');
  t.is(counts.queued + counts.dead, 0, 'nothing left waiting or dead');
});
