import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpListener {
  server: http.Server;
  /** `http://127.0.0.1:PORT` with the port actually bound. */
  url: string;
  port: number;
  /** Stop accepting, let in-flight requests finish (up to `graceMs`), then drop the rest. */
  close(graceMs?: number): Promise<void>;
}

/** Listen with a request handler (a koa `app.callback()`); port 0 lets the OS pick. */
export async function listenHttp(handler: http.RequestListener, host: string, port: number): Promise<HttpListener> {
  const server = http.createServer({ keepAliveTimeout: 5_000, requestTimeout: 30_000, headersTimeout: 15_000 }, handler);
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
    url: `http://${shownHost}:${address.port}`,
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
