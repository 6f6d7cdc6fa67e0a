/**
 * Shared set-up for the connector tests: a real connector on port 0 in a
 * temp folder, a recording stand-in for the Discharge API (a real koa
 * server: the far side is not ours to fake in-process), and small MLLP
 * helpers over real sockets.
 */
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import type { ExecutionContext } from 'ava';
import type { Clock } from '../../core/clock.js';
import type { StoreConfig } from '../../core/config/store.js';
import { listenHttp } from '../../core/http/listen.js';
import { silentLogger } from '../../core/logger.js';
import { MllpClient } from '../../core/mllp/client.js';
import { MllpDecoder, encodeFrame } from '../../core/mllp/codec.js';
import { connectorConfig } from '../../connector/config.js';
import type { Mapping } from '../../connector/mapping/compile.js';
import { createConnector, type ConnectorService } from '../../connector/service.js';
import { tempDir } from './temp.js';

export const MAPPINGS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'mappings');

export interface ConnectorHarness {
  connector: ConnectorService;
  mllpPort: number;
  httpUrl: string;
  dataDir: string;
}

export interface ConnectorStart {
  apiUrl?: string;
  apiKey?: string;
  clock?: Clock;
  dataDir?: string;
  config?: Record<string, unknown>;
  /** The journal. @default SQLite in the data folder */
  store?: StoreConfig;
  /** Use these mappings instead of the shipped folder. */
  mappings?: readonly Mapping[];
  /** Do not stop it at teardown (the test stops it). */
  manual?: boolean;
}

export async function startConnector(t: ExecutionContext, options: ConnectorStart = {}): Promise<ConnectorHarness> {
  const dataDir = options.dataDir ?? tempDir(t, 'caraloom-connector-');
  const connector = createConnector({
    config: connectorConfig({
      mllp: { port: 0 },
      http: { port: 0, tokens: ['hl7-token-0123456789'] },
      admin: { tokens: [{ name: 'tests', token: 'admin-token-0123456789', role: 'phi' }] },
      delivery: { retrySchedule: [5, 60, 300], jitter: 0 },
      ...options.config,
    }),
    store: options.store ?? { kind: 'sqlite', synchronous: 'normal' },
    dataDir,
    apiUrl: options.apiUrl ?? 'http://127.0.0.1:9',
    apiKey: options.apiKey ?? 'clk_live_test_key',
    mappingsDir: MAPPINGS_DIR,
    ...(options.mappings === undefined ? {} : { mappings: options.mappings }),
    logger: silentLogger(),
    clock: options.clock,
    random: () => 0.5,
  });
  await connector.start();
  if (options.manual !== true) t.teardown(() => connector.stop());
  return { connector, mllpPort: Number(new URL(connector.mllpUrl!.replace('mllp', 'http')).port), httpUrl: connector.httpUrl!, dataDir };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface ApiStandIn {
  url: string;
  requests: RecordedRequest[];
  /** Decide the next answers: return [status, body, headers?]. Default 201 with a referral. */
  respond: (request: RecordedRequest, index: number) => [number, unknown, Record<string, string>?];
  /** Hold the answer this long (to force client timeouts). @default 0 */
  delayMs: (index: number) => number;
  close(): Promise<void>;
}

/** A real HTTP server standing in for the Discharge API, recording every request. */
export async function startApiStandIn(t: ExecutionContext, port = 0): Promise<ApiStandIn> {
  const app = new Koa();
  const standIn: ApiStandIn = {
    url: '',
    requests: [],
    respond: (_request, index) => [201, { data: { id: `ref_${index + 1}`, status: 'matched', matches: [{ clinician_id: 'clin_1' }] }, rate: null }],
    delayMs: () => 0,
    close: async () => undefined,
  };
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request: RecordedRequest = { method: ctx.method, path: ctx.path, headers: ctx.headers, body: text === '' ? undefined : JSON.parse(text) };
    if (ctx.path === '/v1/health') {
      ctx.body = { status: 'ok' };
      return;
    }
    standIn.requests.push(request);
    const index = standIn.requests.length - 1;
    const delay = standIn.delayMs(index);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const [status, body, headers] = standIn.respond(request, index);
    ctx.status = status;
    for (const [name, value] of Object.entries(headers ?? {})) ctx.set(name, value);
    ctx.body = body;
  });
  const listener = await listenHttp(app.callback(), '127.0.0.1', port);
  standIn.url = listener.url;
  standIn.close = () => listener.close(100);
  t.teardown(() => listener.close(100));
  return standIn;
}

/** An MLLP client to the harness, closed at teardown. */
export function mllpClient(t: ExecutionContext, port: number, timeoutMs = 10_000): MllpClient {
  const client = new MllpClient({ host: '127.0.0.1', port, timeoutMs });
  t.teardown(() => client.close());
  return client;
}

/** MSA-1, MSA-2 and the ERR segments of an ACK. */
export function readAck(reply: Buffer | string): { code: string; controlId: string; text: string; errors: string[] } {
  const lines = reply.toString('latin1').split('\r');
  const msa = (lines.find((line) => line.startsWith('MSA')) ?? '').split('|');
  return { code: msa[1] ?? '', controlId: msa[2] ?? '', text: msa[3] ?? '', errors: lines.filter((line) => line.startsWith('ERR')) };
}

export { eventually } from './eventually.js';

/**
 * Writes several frames on one raw socket and collects every reply until the
 * expected number arrived (for messages that get no reply at all).
 */
export async function exchangeRaw(port: number, frames: Buffer[], expectedReplies: number, timeoutMs = 10_000): Promise<Buffer[]> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const decoder = new MllpDecoder({ maxFrameBytes: 1024 * 1024 });
  const replies: Buffer[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${replies.length} of ${expectedReplies} replies`)), timeoutMs);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        for (const event of decoder.push(chunk)) if (event.type === 'frame') replies.push(event.payload);
        if (replies.length >= expectedReplies) {
          clearTimeout(timer);
          resolve();
        }
      });
      socket.on('connect', () => {
        for (const frame of frames) socket.write(encodeFrame(frame));
      });
    });
  } finally {
    socket.destroy();
  }
  return replies;
}
