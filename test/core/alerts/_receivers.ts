/** The real receivers alert tests send to: an SMTP server (STARTTLS, test CA) and an HTTP webhook receiver. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { SMTPServer } from 'smtp-server';
import type { TestPki } from '../../helpers/tls-certs.js';

export interface Mail {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
}

/** A real SMTP server on port 0 with STARTTLS (the test PKI's server certificate), collecting every mail. */
export async function startSmtp(t: ExecutionContext, pki: TestPki): Promise<{ port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    key: pki.serverKey,
    cert: pki.serverCert,
    authOptional: true,
    onAuth: (auth, _session, done) => (auth.username === 'alerts' && auth.password === 'smtp-password-0123' ? done(null, { user: 'alerts' }) : done(new Error('bad login'))),
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((to) => to.address), raw: Buffer.concat(chunks).toString('utf8'), secure: session.secure });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, mails };
}

/** An HTTP receiver on port 0 that answers 204 and keeps every JSON body (and its raw text). */
export async function startReceiver(t: ExecutionContext): Promise<{ url: string; bodies: unknown[]; raw: string[] }> {
  const bodies: unknown[] = [];
  const raw: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      raw.push(text);
      bodies.push(JSON.parse(text));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, bodies, raw };
}
