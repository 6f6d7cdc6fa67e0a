/**
 * Issue #11 item 4: every listener (connector MLLP, connector HTTP door,
 * relay) applies the one policy of core/tls.ts — TLS 1.2+ and, for TLS 1.2,
 * ECDHE with AEAD only. Clients are Node's tls and the openssl command; the
 * refusals assert the server's alert, so a client that failed on its own
 * would not pass.
 */
import { execFile } from 'node:child_process';
import tls from 'node:tls';
import test, { type ExecutionContext } from 'ava';
import { startConnector } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';
import { makeTestPki, writeTestPki } from '../helpers/tls-certs.js';
import { startRelay } from '../relay/_support.js';

const pki = makeTestPki();

interface Door {
  name: string;
  port: number;
}

async function startDoors(t: ExecutionContext): Promise<Door[]> {
  const files = writeTestPki(pki, tempDir(t, 'tls-policy-'));
  const serverTls = { keyFile: files.serverKey, certFile: files.serverCert };
  const { connector } = await startConnector(t, {
    config: { mllp: { port: 0, tls: serverTls }, http: { port: 0, tokens: ['hl7-token-0123456789'], tls: serverTls } },
  });
  const relay = await startRelay(t, { tls: serverTls });
  const port = (url: string | undefined): number => Number(new URL(url!.replace(/^mllps:/, 'https:')).port);
  t.true(connector.mllpUrl!.startsWith('mllps://'));
  t.true(connector.httpUrl!.startsWith('https://'));
  t.true(relay.url.startsWith('https://'));
  return [
    { name: 'mllp', port: port(connector.mllpUrl) },
    { name: 'http door', port: port(connector.httpUrl) },
    { name: 'relay', port: port(relay.url) },
  ];
}

/** Resolves with the negotiated protocol and cipher, or rejects with the handshake error. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<{ protocol: string | null; cipher: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost', ...options }, () => {
      const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      socket.end();
      resolve(result);
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

/** `openssl s_client` with stdin closed: it handshakes, then quits. */
function sClient(port: number, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
    child.stdin?.end();
  });
}

test('a tls 1.2 client offering only non-forward-secret ciphers is refused on mllp, the http door and the relay', async (t) => {
  const doors = await startDoors(t);
  for (const door of doors) {
    // Static-RSA key exchange: AEAD, but a stolen server key decrypts every recorded session.
    const error = await t.throwsAsync(handshake(door.port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256' }), undefined, door.name);
    t.regex(String(error?.message), /handshake failure/i, `${door.name}: the server answered with a handshake_failure alert`);
    const openssl = await sClient(door.port, ['-tls1_2', '-cipher', 'AES128-GCM-SHA256']);
    t.not(openssl.code, 0, `${door.name}: openssl s_client exit code`);
    t.regex(openssl.output, /handshake failure|alert number 40/i, `${door.name}: openssl saw the server's alert`);
    t.notRegex(openssl.output, /Cipher is AES128-GCM-SHA256/, door.name);
  }
});

test('tls 1.1 is refused', async (t) => {
  const doors = await startDoors(t);
  for (const door of doors) {
    // SECLEVEL=0 lets this client offer TLS 1.1 at all; the refusal must come from the server.
    const error = await t.throwsAsync(handshake(door.port, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }), undefined, door.name);
    t.regex(String(error?.message), /protocol version/i, `${door.name}: the server answered with a protocol_version alert`);
  }
});

test('an ecdhe client connects', async (t) => {
  const doors = await startDoors(t);
  for (const door of doors) {
    const tls12 = await handshake(door.port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256' });
    t.deepEqual(tls12, { protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' }, door.name);
    const chacha = await handshake(door.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305' });
    t.is(chacha.cipher, 'ECDHE-RSA-CHACHA20-POLY1305', door.name);
    const tls13 = await handshake(door.port, {});
    t.is(tls13.protocol, 'TLSv1.3', door.name);
    const openssl = await sClient(door.port, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256']);
    t.is(openssl.code, 0, `${door.name}: ${openssl.output.slice(-400)}`);
    t.regex(openssl.output, /Cipher is ECDHE-RSA-AES128-GCM-SHA256/, door.name);
  }
});

test('a tls 1.2 client offering only cbc suites is refused even with ecdhe', async (t) => {
  const doors = await startDoors(t);
  for (const door of doors) {
    const error = await t.throwsAsync(handshake(door.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA' }), undefined, door.name);
    t.regex(String(error?.message), /handshake failure/i, door.name);
  }
});

test('the server picks its own strongest suite over the client\'s first choice', async (t) => {
  const doors = await startDoors(t);
  for (const door of doors) {
    const chosen = await handshake(door.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384' });
    t.is(chosen.cipher, 'ECDHE-RSA-AES256-GCM-SHA384', door.name);
  }
});
