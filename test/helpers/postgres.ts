import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { ExecutionContext } from 'ava';
import pg from 'pg';
import type { Clock } from '../../core/clock.js';
import { openPostgresJournal } from '../../core/journal/postgres.js';
import type { Journal } from '../../core/journal/types.js';

/** The test server: 127.0.0.1:5432, trust auth, database `test` (started by `.ci/run`). */
export const testDatabaseUrl = process.env.CARALOOM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test uses; dropped with everything in it when the test ends. */
export function freshSchema(t: ExecutionContext): string {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  });
  return schema;
}

/** A journal on the test server, closed when the test ends (after any later teardowns). */
export async function openTestJournal(t: ExecutionContext, schema: string, clock: Clock, options: { url?: string; poolSize?: number } = {}): Promise<Journal> {
  const journal = await openPostgresJournal({ url: options.url ?? testDatabaseUrl, schema, poolSize: options.poolSize ?? 4, clock, connectTimeoutMs: 10_000 });
  t.teardown(() => journal.close());
  return journal;
}

/** Runs one statement on the test server with its own connection. */
export async function sql<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export interface TcpProxy {
  url: string;
  /** Refuse new connections and cut every open one: the database "goes away". */
  cut(): Promise<void>;
  /** Accept connections again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy in front of the test server on 127.0.0.1 (port 0), to simulate an outage. */
export async function startProxy(t: ExecutionContext): Promise<TcpProxy> {
  const target = new URL(testDatabaseUrl);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const end of [socket, upstream]) {
      sockets.add(end);
      end.on('error', () => end.destroy());
      end.on('close', () => sockets.delete(end));
    }
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  const listen = (port: number) => new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
  const port = await listen(0);
  const cut = async () => {
    if (!server.listening) return;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  const proxy: TcpProxy = {
    url: `postgres://${target.username}@127.0.0.1:${port}${target.pathname}`,
    cut,
    restore: async () => void (await listen(port)),
    close: cut,
  };
  t.teardown(() => proxy.close());
  return proxy;
}
