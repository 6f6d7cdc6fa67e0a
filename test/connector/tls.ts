/** MLLP over TLS from config files, with client certificates required. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { MllpClient } from '../../core/mllp/client.js';
import { sampleFile } from '../helpers/corpus.js';
import { readAck, startConnector } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';
import { makeTestPki } from '../helpers/tls-certs.js';

const pki = makeTestPki();

async function tlsConnector(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  for (const [name, text] of Object.entries({ 'server.key': pki.serverKey, 'server.crt': pki.serverCert, 'ca.crt': pki.ca })) writeFileSync(path.join(dir, name), text);
  const tls = { keyFile: path.join(dir, 'server.key'), certFile: path.join(dir, 'server.crt'), caFile: path.join(dir, 'ca.crt'), requestClientCert: true };
  const harness = await startConnector(t, { config: { mllp: { port: 0, tls } } });
  t.true(harness.connector.mllpUrl!.startsWith('mllps://'));
  return Number(harness.connector.mllpUrl!.split(':').pop());
}

test('an engine with a client certificate gets its ack over tls', async (t) => {
  const port = await tlsConnector(t);
  const client = new MllpClient({ host: '127.0.0.1', port, tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } });
  t.teardown(() => client.close());
  t.is(readAck(await client.send(sampleFile('hl7/adt-a03-home-health.hl7'))).code, 'AA');
});

test('an engine without a trusted client certificate is refused', async (t) => {
  const port = await tlsConnector(t);
  const client = new MllpClient({ host: '127.0.0.1', port, timeoutMs: 3_000, tls: { ca: pki.ca, cert: pki.strangerCert, key: pki.strangerKey } });
  t.teardown(() => client.close());
  await t.throwsAsync(client.send(sampleFile('hl7/adt-a03-home-health.hl7')));
});
