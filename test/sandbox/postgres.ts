import test from 'ava';
import { storeSchema } from '../../core/config/store.js';
import { silentLogger } from '../../core/logger.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { freshSchema, testDatabaseUrl } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';
import { call, sample, startReceiver } from './_harness.js';

test('webhook deliveries go through a postgresql journal when the store says so', async (t) => {
  const schema = freshSchema(t);
  const receiver = await startReceiver(t);
  const sandbox = createSandbox({
    config: sandboxConfig({ port: 0 }),
    store: storeSchema.parse({ kind: 'postgres', url: testDatabaseUrl, schema, poolSize: 2 }),
    dataDir: tempDir(t),
    logger: silentLogger(),
  });
  await sandbox.start();
  t.teardown(() => sandbox.stop());
  const key = await sandbox.issueKey();
  await call(sandbox.url!, key, '/v1/webhooks', { method: 'POST', json: { url: receiver.url } });
  await call(sandbox.url!, key, '/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  const deliveries = await receiver.waitFor(3);
  t.deepEqual(deliveries.map((delivery) => delivery.body.type), ['ping', 'referral.created', 'referral.matched']);
  t.is(sandbox.deps!.journal.kind, 'postgres');
});
