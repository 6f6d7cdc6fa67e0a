import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type TlsMaterial, tlsServerOptions } from '../tls.js';

export interface HttpListener {
  server: http.Server | https.Server;
  /** `http://127.0.0.1:PORT` (or `https://`) with the port actually bound. */
  url: string;
  port: number;
  /** Stop accepting, let in-flight requests finish (up to `graceMs`), then drop the rest. */
  close(graceMs?: number): Promise<void>;
}

export interface ListenOptions {
  /** Serve HTTPS with this key material (policy: core/tls.ts). @default plain HTTP */
  tls?: TlsMaterial | undefined;
}

/** Listen with a request handler (a koa `app.callback()`); port 0 lets the OS pick. */
export async function listenHttp(handler: http.RequestListener, host: string, port: number, options: ListenOptions = {}): Promise<HttpListener> {
  const timeouts = { keepAliveTimeout: 5_000, requestTimeout: 30_000, headersTimeout: 15_000 };
  const server =
    options.tls === undefined
      ? http.createServer(timeouts, handler)
      : // A TLS handshake that never finishes must not hold a socket for ever.
        https.createServer({ ...tlsServerOptions(options.tls), ...timeouts, handshakeTimeout: 10_000 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `${options.tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`,
    port: address.port,
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
