/**
 * The soak's MLLP sender: like bench/lib/mllp-load.ts (each connection sends
 * one frame and waits for its ACK) but the messages are made as they are
 * sent, so a million of them never sit in memory at once; per message only
 * its ACK latency (Float32) and whether it was referable and answered AA.
 */
import net from 'node:net';
import { MllpDecoder, encodeFrame } from '../../core/mllp/codec.js';
import { adtGenerator } from '../lib/adt.js';
import { ackCode } from '../lib/mllp-load.js';

export interface SoakLoad {
  /** Messages answered so far (any code). */
  readonly acked: number;
  /** ACK latency of message i in ms (NaN: no answer). */
  readonly latencyMs: Float32Array;
  /** Referable messages answered AA: what must reach the API. */
  readonly referableAccepted: number;
  /** Answers other than AA, and messages that got none. */
  readonly notAA: number;
  readonly done: Promise<void>;
}

export function startMllpLoad(options: { port: number; total: number; connections: number; prefix: string; onAck?: (acked: number) => void }): SoakLoad {
  const generator = adtGenerator({ controlPrefix: options.prefix });
  const latencyMs = new Float32Array(options.total).fill(Number.NaN);
  let next = 0;
  const state = { acked: 0, referableAccepted: 0, notAA: 0 };

  const lane = async (): Promise<void> => {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: options.port, noDelay: true }, () => resolve(s));
      s.once('error', reject);
    });
    socket.on('error', () => undefined);
    const decoder = new MllpDecoder();
    let waiting: ((reply: Buffer | undefined) => void) | undefined;
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) if (event.type === 'frame') waiting?.(event.payload);
    });
    socket.once('close', () => waiting?.(undefined));
    try {
      for (let i = next++; i < options.total; i = next++) {
        const message = generator.next();
        const sentAt = performance.now();
        const reply = await new Promise<Buffer | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), 30_000);
          waiting = (value) => {
            clearTimeout(timer);
            waiting = undefined;
            resolve(value);
          };
          socket.write(encodeFrame(message.text));
        });
        state.acked++;
        if (reply === undefined) {
          state.notAA++;
          return;
        }
        latencyMs[i] = performance.now() - sentAt;
        if (ackCode(reply) !== 'AA') state.notAA++;
        else if (message.referable) state.referableAccepted++;
        options.onAck?.(state.acked);
      }
    } finally {
      socket.destroy();
    }
  };
  const done = Promise.all(Array.from({ length: options.connections }, () => lane().catch(() => undefined))).then(() => undefined);
  return {
    get acked() {
      return state.acked;
    },
    latencyMs,
    get referableAccepted() {
      return state.referableAccepted;
    },
    get notAA() {
      return state.notAA;
    },
    done,
  };
}
