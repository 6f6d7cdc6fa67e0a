/** Issue #11.3: below `store.minFreeDisk` the doors refuse new work (AR 207 / 503) and resume on their own. */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import test from 'ava';
import { silentLogger } from '../../core/logger.js';
import { MllpDecoder, encodeFrame } from '../../core/mllp/codec.js';
import { connectorConfig } from '../../connector/config.js';
import { createConnector } from '../../connector/service.js';
import { MAPPINGS_DIR } from '../helpers/connector.js';
import { eventuallyValue } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';
import { relayConfigSchema } from '../../relay/config.js';
import { createRelay } from '../../relay/service.js';

const sample = readFileSync('samples/hl7/adt-a03-home-health.hl7', 'latin1').replace(/\r?\n/g, '\r').trim();

function sendOne(port: number, id: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const decoder = new MllpDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) if (event.type === 'frame') (socket.destroy(), resolve(event.payload.toString('latin1')));
    });
    socket.on('error', reject);
    socket.write(encodeFrame(sample.replace('RB20261120143012001', id)));
  });
}

test('below the disk floor mllp answers AR 207 and http 503, and intake resumes when space returns', async (t) => {
  let free = 100 * 1024 * 1024;
  const connector = createConnector({
    config: connectorConfig({ mllp: { port: 0 }, http: { port: 0, tokens: ['hl7-token-0123456789'] } }),
    store: { kind: 'sqlite', synchronous: 'normal', minFreeDisk: 512 * 1024 * 1024 },
    dataDir: tempDir(t),
    apiUrl: 'http://127.0.0.1:9',
    apiKey: 'clk_live_test_key',
    mappingsDir: MAPPINGS_DIR,
    logger: silentLogger(),
    freeDiskBytes: async () => free,
  });
  await connector.start();
  t.teardown(() => connector.stop());
  const port = Number(new URL(connector.mllpUrl!.replace('mllp', 'http')).port);
  const refused = await sendOne(port, 'DISK1');
  t.regex(refused, /MSA\|AR\|DISK1/);
  t.regex(refused, /ERR\|.*207/);
  const http = await fetch(`${connector.httpUrl}/hl7`, { method: 'POST', headers: { authorization: 'Bearer hl7-token-0123456789', 'content-type': 'x-application/hl7-v2+er7' }, body: sample });
  t.is(http.status, 503);
  t.is((await fetch(`${connector.httpUrl}/readyz`)).status, 503);
  free = 2 * 1024 * 1024 * 1024;
  const accepted = await eventuallyValue(() => sendOne(port, `DISK${Date.now()}`), (reply) => /MSA\|AA\|/.test(reply), { timeoutMs: 5_000, what: 'AA once space returned' });
  t.regex(accepted, /MSA\|AA\|/);
});

test('below the disk floor the relay answers its webhook 503 and is not ready', async (t) => {
  const relay = createRelay({ config: relayConfigSchema.parse({ port: 0 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: tempDir(t), logger: silentLogger(), env: {}, freeDiskBytes: async () => 1024 });
  const [listener] = await relay.start();
  t.teardown(() => relay.stop());
  const webhook = await fetch(`${listener!.url}/webhooks/caraloom`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  t.is(webhook.status, 503);
  t.is((await fetch(`${listener!.url}/readyz`)).status, 503);
});
