/**
 * A throw-away PKI for TLS tests, made with the openssl command in a temp
 * folder: a CA, a server certificate for 127.0.0.1 / localhost, and a client
 * certificate, all signed by the CA. Generated once per test file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestPki {
  ca: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
  /** A client certificate from a CA the server does not trust. */
  strangerKey: string;
  strangerCert: string;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caraloom-pki-'));
  try {
    const run = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    };
    const read = (name: string): string => readFileSync(path.join(dir, name), 'utf8');
    const ca = (name: string): void => {
      run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
    };
    const leaf = (name: string, signer: string, ext: string): void => {
      writeFileSync(path.join(dir, `${name}.ext`), ext);
      run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
      run('x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.crt`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
    };
    ca('test-ca');
    ca('stranger-ca');
    leaf('server', 'test-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    leaf('client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
    leaf('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
    return {
      ca: read('test-ca.crt'),
      serverKey: read('server.key'),
      serverCert: read('server.crt'),
      clientKey: read('client.key'),
      clientCert: read('client.crt'),
      strangerKey: read('stranger.key'),
      strangerCert: read('stranger.crt'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestPkiFiles {
  dir: string;
  ca: string;
  serverKey: string;
  serverCert: string;
}

/** Write the CA and server pair as PEM files (config takes paths). */
export function writeTestPki(pki: TestPki, dir: string): TestPkiFiles {
  const file = (name: string, text: string): string => {
    const target = path.join(dir, name);
    writeFileSync(target, text, { mode: 0o600 });
    return target;
  };
  return { dir, ca: file('ca.crt', pki.ca), serverKey: file('server.key', pki.serverKey), serverCert: file('server.crt', pki.serverCert) };
}
