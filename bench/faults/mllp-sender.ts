/**
 * An integration engine's sending behaviour, for fault runs: one connection
 * per lane, one message at a time; when the connection drops or no ACK comes,
 * reconnect and send the SAME message again (what Mirth does), so a message
 * is never skipped. Patients are pinned to lanes, so each patient's messages
 * leave in order. The final MSA-1 of every message is recorded.
 */
import net from 'node:net';
import { MllpDecoder, encodeFrame } from '../../core/mllp/codec.js';
import { ackCode } from '../lib/mllp-load.js';

export interface ResilientOptions {
  port: number;
  messages: readonly string[];
  /** Lane of message i (e.g. by patient). */
  laneOf: (index: number) => number;
  lanes: number;
  /** Wait this long for an ACK before resending on a new connection. @default 5000 */
  replyTimeoutMs?: number;
  /** Called after each final answer (AA/AE/AR). */
  onAnswered?: (index: number, code: string) => void;
  /** Codes that mean "send again later" (AR with ERR 207): resent after a pause. @default true */
  resendOnStorageRefusal?: boolean;
}

export interface ResilientResult {
  codes: string[];
  /** Messages sent more than once (connection dropped or refused with 207). */
  resends: number;
  /** AR 207 answers received (storage unavailable) before the message went through. */
  refusals207: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function sendResilient(options: ResilientOptions): Promise<ResilientResult> {
  const codes = new Array<string>(options.messages.length).fill('');
  const timeoutMs = options.replyTimeoutMs ?? 5_000;
  let resends = 0;
  let refusals207 = 0;
  const lane = async (lane: number) => {
    let socket: net.Socket | undefined;
    let decoder = new MllpDecoder();
    let waiting: ((reply: Buffer | undefined) => void) | undefined;
    const open = async () => {
      for (;;) {
        try {
          socket = await new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect({ host: '127.0.0.1', port: options.port, noDelay: true });
            s.once('connect', () => resolve(s));
            s.once('error', reject);
          });
          decoder = new MllpDecoder();
          socket.on('data', (chunk: Buffer) => {
            for (const event of decoder.push(chunk)) if (event.type === 'frame') waiting?.(event.payload);
          });
          socket.on('close', () => waiting?.(undefined));
          socket.on('error', () => undefined);
          return;
        } catch {
          await sleep(100);
        }
      }
    };
    for (let i = 0; i < options.messages.length; i++) {
      if (options.laneOf(i) % options.lanes !== lane) continue;
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) resends++;
        if (socket === undefined || socket.destroyed) await open();
        const s = socket!;
        const reply = await new Promise<Buffer | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), timeoutMs);
          waiting = (value) => {
            clearTimeout(timer);
            waiting = undefined;
            resolve(value);
          };
          s.write(encodeFrame(options.messages[i]!));
        });
        if (reply === undefined) {
          s.destroy();
          continue;
        }
        const code = ackCode(reply);
        if (code === 'AR' && reply.toString('latin1').includes('|207') && options.resendOnStorageRefusal !== false) {
          refusals207++;
          await sleep(200);
          continue;
        }
        codes[i] = code;
        options.onAnswered?.(i, code);
        break;
      }
    }
    socket?.destroy();
  };
  await Promise.all(Array.from({ length: options.lanes }, (_, l) => lane(l)));
  return { codes, resends, refusals207 };
}
