/**
 * Issue #11 item 4: `requestClientCert: true` without `caFile` would make
 * Node check client certificates against the public roots, so it is a config
 * error naming the path, on every listener that takes a `tls:` block. With
 * `caFile`, only certificates from that CA get in.
 */
import tls from 'node:tls';
import test from 'ava';
import { configFrom } from '../../config/load.js';
import { ConfigError } from '../../core/errors.js';
import { tlsServerOptions } from '../../core/tls.js';
import { startConnector } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';
import { makeTestPki, writeTestPki } from '../helpers/tls-certs.js';

const pki = makeTestPki();
const withoutCa = { keyFile: '/etc/caraloom/server.key', certFile: '/etc/caraloom/server.crt', requestClientCert: true };

const listeners: Array<[string, Record<string, unknown>]> = [
  ['connector.mllp.tls.caFile', { connector: { mllp: { tls: withoutCa } } }],
  ['connector.http.tls.caFile', { connector: { http: { tls: withoutCa } } }],
  ['relay.tls.caFile', { relay: { tls: withoutCa } }],
];

for (const [where, raw] of listeners) {
  test(`requestClientCert without caFile is a config error naming ${where}`, (t) => {
    const error = t.throws(() => configFrom(raw, {}), { instanceOf: ConfigError });
    t.regex(error!.message, new RegExp(`${where.replace(/\./g, '\\.')}: requestClientCert: true needs caFile`));
  });
}

test('requestClientCert with caFile is accepted', (t) => {
  const config = configFrom({ connector: { http: { tls: { ...withoutCa, caFile: '/etc/caraloom/ca.crt' } } } }, {});
  t.is(config.connector.http.tls?.caFile, '/etc/caraloom/ca.crt');
});

test('tls server options refuse requestCert without a ca in code too', (t) => {
  t.throws(() => tlsServerOptions({ key: pki.serverKey, cert: pki.serverCert, requestCert: true }), { instanceOf: ConfigError });
  t.like(tlsServerOptions({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true }), { requestCert: true, rejectUnauthorized: true });
});

function connect(port: number, client: { key?: string; cert?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost', ...client }, () => {
      // TLS 1.3 sends the server's verdict on the client certificate after the handshake: wait for data or an error.
      socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.once('end', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.once('error', reject);
  });
}

test('with caFile the http door takes a client certificate from that ca and refuses others', async (t) => {
  const files = writeTestPki(pki, tempDir(t, 'client-cert-'));
  const { connector } = await startConnector(t, {
    config: { http: { port: 0, tokens: ['hl7-token-0123456789'], tls: { keyFile: files.serverKey, certFile: files.serverCert, caFile: files.ca, requestClientCert: true } } },
  });
  const port = Number(new URL(connector.httpUrl!).port);
  t.regex(await connect(port, { key: pki.clientKey, cert: pki.clientCert }), /^HTTP\/1\.1 200/);
  // Refused: the server sends an alert and closes without answering a byte of HTTP.
  const refused = (client: { key?: string; cert?: string }) => connect(port, client).catch((error: Error) => `refused: ${error.message}`);
  t.notRegex(await refused({ key: pki.strangerKey, cert: pki.strangerCert }), /HTTP/, 'a certificate from another ca');
  t.notRegex(await refused({}), /HTTP/, 'no certificate');
});

test('a tls file that cannot be read is a start-up error naming its config path', async (t) => {
  const files = writeTestPki(pki, tempDir(t, 'client-cert-'));
  const missing = `${files.dir}/missing.key`;
  const error = await t.throwsAsync(startConnector(t, { config: { http: { port: 0, tls: { keyFile: missing, certFile: files.serverCert } } } }), { instanceOf: ConfigError });
  t.is(error!.message, `connector.http.tls.keyFile: cannot read ${missing} (ENOENT)`);
});
