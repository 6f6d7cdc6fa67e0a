import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import type { Clock } from '../../core/clock.js';
import { silentLogger } from '../../core/logger.js';
import { createSandbox, sandboxConfig, type SandboxService } from '../../sandbox/service.js';
import { eventuallyValue } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';

/** Shared set-up for the sandbox tests: a real sandbox on port 0 in a temp folder. */

export interface Running {
  sandbox: SandboxService;
  url: string;
  dataDir: string;
  key: string;
  /** fetch against the sandbox with the key (unless headers override it). */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<{ status: number; headers: Headers; body: any }>;
}

export interface StartOptions {
  config?: Record<string, unknown>;
  clock?: Clock;
  dataDir?: string;
  /** Do not stop it at teardown (the test stops it itself). */
  manual?: boolean;
}

export async function startSandbox(t: ExecutionContext, options: StartOptions = {}): Promise<Running> {
  const dataDir = options.dataDir ?? tempDir(t, 'caraloom-sandbox-');
  const sandbox = createSandbox({
    config: sandboxConfig({ port: 0, webhooks: { retrySchedule: [5, 60, 300] }, ...options.config }),
    store: { kind: 'sqlite', synchronous: 'normal' },
    dataDir,
    logger: silentLogger(),
    clock: options.clock,
    random: () => 0.5,
  });
  await sandbox.start();
  if (options.manual !== true) t.teardown(() => sandbox.stop());
  const key = await sandbox.issueKey('dev@example.com');
  const url = sandbox.url!;
  return { sandbox, url, dataDir, key, call: (path, init) => call(url, key, path, init) };
}

export async function call(url: string, key: string | undefined, path: string, init: RequestInit & { json?: unknown } = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const headers = new Headers(init.headers);
  if (key !== undefined && !headers.has('authorization') && !headers.has('x-api-key')) headers.set('authorization', `Bearer ${key}`);
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const response = await fetch(`${url}${path}`, { ...init, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** A sample request body from test/sandbox/samples. */
export function sample(name: string): any {
  return JSON.parse(readFileSync(new URL(`samples/${name}`, import.meta.url), 'utf8'));
}

export interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** What to answer next: shift from this list, then 204. */
  answers: { status: number; headers?: Record<string, string> }[];
  /** Resolves once `count` requests arrived (fails the test after 15 s of real time). */
  waitFor(count: number): Promise<Received[]>;
}

/** A local HTTP server that records webhook deliveries with their exact raw bodies. */
export async function startReceiver(t: ExecutionContext): Promise<Receiver> {
  const received: Received[] = [];
  const answers: Receiver['answers'] = [];
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, body: JSON.parse(raw) });
      const answer = answers.shift() ?? { status: 204 };
      res.writeHead(answer.status, answer.headers).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    received,
    answers,
    waitFor: (count) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`expected ${count} deliveries, got ${received.length}`)), 15_000);
        const check = () => {
          if (received.length >= count) {
            clearTimeout(deadline);
            resolve(received.slice(0, count));
          } else waiters.push(check);
        };
        check();
      }),
  };
}

/** Poll until `predicate` holds (15 s of real time at most, then the test fails); for states reached asynchronously. */
export const eventually = <T>(probe: () => Promise<T>, predicate: (value: T) => boolean): Promise<T> => eventuallyValue(probe, predicate, 15_000);
