import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { silentLogger } from '../../core/logger.js';
import { relayConfigSchema } from '../../relay/config.js';
import { demoRelayConfig, ensureRegistered } from '../../relay/demo.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { tempDir } from '../helpers/temp.js';
import { startRelay, until } from './_support.js';

test('the demo relay registers with the sandbox once and the referral events arrive at the file subscriber', async (t) => {
  const sandbox = createSandbox({ config: sandboxConfig({ port: 0, clinicians: 200 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: tempDir(t, 'sandbox-'), logger: silentLogger() });
  const [api] = await sandbox.start();
  t.teardown(() => sandbox.stop());
  const apiKey = await sandbox.issueKey();
  const dataDir = tempDir(t, 'relay-demo-');
  const config = demoRelayConfig(relayConfigSchema.parse({}), dataDir);
  t.deepEqual(config.subscribers.map((subscriber) => subscriber.name), ['demo', 'console']);
  const relay = await startRelay(t, { ...config, secrets: [] }, { dataDir });
  const url = `${relay.url}/webhooks/caraloom`;
  t.like(await ensureRegistered({ apiUrl: api!.url, apiKey, url, dataDir }), { registered: true });
  t.like(await ensureRegistered({ apiUrl: api!.url, apiKey, url, dataDir }), { registered: false }, 'a second start does not register again');

  const response = await fetch(`${api!.url}/v1/discharge-referrals`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ primary_diagnosis: 'CHF', care_type: 'Home Health', zip: '78701' }) });
  t.is(response.status, 201);
  const sink = path.join(dataDir, 'demo-subscriber.jsonl');
  const types = () => {
    try {
      return readFileSync(sink, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { event: { type: string } }).event.type);
    } catch {
      return [];
    }
  };
  await until(() => types().includes('referral.matched'), 15_000);
  t.true(types().includes('referral.created'));
});
