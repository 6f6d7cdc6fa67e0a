import { once } from 'node:events';
import net from 'node:net';
import test from 'ava';
import { request } from 'undici';
import { adtBatch } from '../../bench/lib/adt.js';
import { startFarSide } from '../../bench/lib/far-side.js';
import type { StoreConfig } from '../../core/config/store.js';
import { silentLogger } from '../../core/logger.js';
import { MllpDecoder, encodeFrame } from '../../core/mllp/codec.js';
import { signCaraloom } from '../../core/signature.js';
import { connectorConfig } from '../../connector/config.js';
import { createConnector } from '../../connector/service.js';
import { relayConfigSchema } from '../../relay/config.js';
import { createRelay } from '../../relay/service.js';
import { freshSchema, startProxy } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';

// The services on a PostgreSQL journal that becomes unreachable (a TCP proxy
// in front of the real server is cut): they refuse what they cannot store,
// say so on /readyz, and take messages again once the database is back.

const store = (url: string, schema: string): StoreConfig => ({ kind: 'postgres', url, schema, poolSize: 2, connectTimeoutMs: 3_000, statementTimeoutMs: 5_000 });

async function sendMllp(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url.replace(/^mllp:/, 'http:'));
  const socket = net.connect({ host: hostname, port: Number(port) });
  await once(socket, 'connect');
  const decoder = new MllpDecoder();
  const reply = new Promise<string>((resolve) =>
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) if (event.type === 'frame') resolve(event.payload.toString('latin1'));
    }),
  );
  socket.write(encodeFrame(text));
  try {
    return await reply;
  } finally {
    socket.destroy();
  }
}

const segment = (ack: string, name: string): string => ack.split('\r').find((line) => line.startsWith(`${name}|`)) ?? '';
const status = async (url: string): Promise<number> => {
  const response = await request(url);
  await response.body.dump();
  return response.statusCode;
};

test('a connector whose database is unreachable answers AR 207, fails readyz, and recovers', async (t) => {
  const far = await startFarSide();
  t.teardown(() => far.close());
  const proxy = await startProxy(t);
  const config = connectorConfig({ mllp: { port: 0 }, http: { port: 0 }, api: { url: far.url, key: 'clk_live_outage_test', timeoutMs: 2_000 } });
  const connector = createConnector({ config, store: store(proxy.url, freshSchema(t)), dataDir: tempDir(t), logger: silentLogger() });
  await connector.start();
  t.teardown(() => connector.stop());
  const [first, second] = adtBatch(2, { controlPrefix: `OUT${Date.now()}-` });
  await proxy.cut();
  const refused = await sendMllp(connector.mllpUrl!, first!.text);
  t.regex(segment(refused, 'MSA'), /^MSA\|AR\|/);
  t.regex(segment(refused, 'ERR'), /\|207/);
  t.is(await status(`${connector.httpUrl}/readyz`), 503);
  await proxy.restore();
  t.regex(segment(await sendMllp(connector.mllpUrl!, first!.text), 'MSA'), /^MSA\|AA\|/, 'the resend is stored');
  t.regex(segment(await sendMllp(connector.mllpUrl!, second!.text), 'MSA'), /^MSA\|AA\|/);
  t.is(await status(`${connector.httpUrl}/readyz`), 200);
});

test('a relay whose database is unreachable answers 503, fails readyz, and recovers', async (t) => {
  const proxy = await startProxy(t);
  const secret = 'whsec_outage_test_secret_000000001';
  const relay = createRelay({ config: relayConfigSchema.parse({ port: 0, secrets: [secret], subscribers: [] }), store: store(proxy.url, freshSchema(t)), dataDir: tempDir(t), logger: silentLogger(), env: {} });
  const [listener] = await relay.start();
  t.teardown(() => relay.stop());
  const post = async (id: string) => {
    const body = JSON.stringify({ id, type: 'ping', created_at: new Date().toISOString(), data: {} });
    const response = await request(`${listener!.url}/webhooks/caraloom`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-caraloom-signature': signCaraloom(secret, body) }, body });
    await response.body.dump();
    return response.statusCode;
  };
  await proxy.cut();
  t.is(await post('evt_outage_1'), 503);
  t.is(await status(`${listener!.url}/readyz`), 503);
  await proxy.restore();
  t.is(await post('evt_outage_1'), 200);
  t.is(await status(`${listener!.url}/readyz`), 200);
});
