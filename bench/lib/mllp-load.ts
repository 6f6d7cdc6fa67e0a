/**
 * The MLLP load client: a minimal raw-socket sender (no library) so its own
 * overhead stays out of the figures. Each connection sends one frame, waits
 * for the reply frame, then sends the next — how Mirth and most engines send.
 * Optionally paced to an offered rate (open-loop schedule, closed-loop per
 * connection).
 */
import net from 'node:net';
import { MllpDecoder, encodeFrame } from '../../core/mllp/codec.js';

export interface LoadOptions {
  host?: string;
  port: number;
  /** Payloads (HL7 text), sent in order, dealt round-robin over connections. */
  messages: readonly string[];
  /** @default 1 */
  connections?: number;
  /** Offered rate in messages/s over all connections; 0 sends as fast as ACKs come. @default 0 */
  ratePerSecond?: number;
  /** Give up on a reply after this long and close the connection. @default 30000 */
  replyTimeoutMs?: number;
  /** Stop sending new messages after this long (ms); 0 no limit. The result says how many were sent. @default 0 */
  durationMs?: number;
  /** Keep each reply's text in `replies` (small runs only). @default false */
  keepReplies?: boolean;
  /** Called when message i was sent (performance.now()), e.g. to time end-to-end. */
  onSent?: (index: number, at: number) => void;
}

export interface LoadResult {
  sent: number;
  elapsedMs: number;
  /** ACK latency of message i in ms (NaN when it got no reply). */
  latencyMs: Float64Array;
  /** MSA-1 of message i ('AA', 'AE', 'AR', …) or '' when the connection closed first. */
  codes: string[];
  /** Reply texts when `keepReplies` was set. */
  replies: string[];
}

/** MSA-1 of an ACK payload. */
export function ackCode(reply: Buffer): string {
  const text = reply.toString('latin1');
  const at = text.indexOf('MSA|');
  return at < 0 ? '?' : text.slice(at + 4, at + 6);
}

function connect(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const host = options.host ?? '127.0.0.1';
  const total = options.messages.length;
  const connections = Math.max(1, options.connections ?? 1);
  const rate = options.ratePerSecond ?? 0;
  const timeoutMs = options.replyTimeoutMs ?? 30_000;
  const latencyMs = new Float64Array(total).fill(Number.NaN);
  const codes: string[] = new Array<string>(total).fill('');
  const replies: string[] = options.keepReplies ? new Array<string>(total).fill('') : [];
  const start = performance.now();
  const deadline = options.durationMs ? start + options.durationMs : 0;

  const lane = async (lane: number): Promise<void> => {
    const socket = await connect(host, options.port);
    const decoder = new MllpDecoder();
    let waiting: ((reply: Buffer | undefined) => void) | undefined;
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) if (event.type === 'frame' && waiting) waiting(event.payload);
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    void closed.then(() => waiting?.(undefined));
    socket.on('error', () => undefined);
    try {
      for (let i = lane; i < total; i += connections) {
        if (rate > 0) {
          const due = start + (i * 1000) / rate;
          const wait = due - performance.now();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        }
        if (socket.destroyed) return;
        if (deadline > 0 && performance.now() > deadline) return;
        let sentAt = 0;
        const reply = await new Promise<Buffer | undefined>((resolve) => {
          const timer = setTimeout(() => {
            socket.destroy();
            resolve(undefined);
          }, timeoutMs);
          waiting = (value) => {
            clearTimeout(timer);
            waiting = undefined;
            resolve(value);
          };
          sentAt = performance.now();
          options.onSent?.(i, sentAt);
          socket.write(encodeFrame(options.messages[i]!));
        });
        if (reply === undefined) return;
        latencyMs[i] = performance.now() - sentAt;
        codes[i] = ackCode(reply);
        if (options.keepReplies) replies[i] = reply.toString('latin1');
      }
    } finally {
      socket.end();
      socket.destroy();
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, lane_) => lane(lane_).catch(() => undefined)));
  const elapsedMs = performance.now() - start;
  const sent = codes.filter((code) => code !== '').length;
  return { sent, elapsedMs, latencyMs, codes, replies };
}
