/**
 * Socket-level fuzz run against a running connector (child process): a
 * thousand idle connections held open, connections past the limit refused,
 * then malformed / random / partial / oversize frames from several lanes and
 * byte-at-a-time slow senders. Checks: the process never dies, memory stays
 * bounded, every complete frame is answered or its connection closed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MllpDecoder } from '../../core/mllp/codec.js';
import { portOf, startChild } from '../lib/child.js';
import { startFarSide } from '../lib/far-side.js';
import { fuzzFrames, type FuzzFrame } from '../lib/fuzz-frames.js';
import { memoryOf } from '../lib/stats.js';

export interface FuzzRow {
  frames: number;
  answered: number;
  closedUnanswered: number;
  hung: number;
  limit: number;
  idleHeld: number;
  refusedOverLimit: number;
  /** Connections past the idle ones that the limit should refuse. */
  overLimitExpected: number;
  alive: boolean;
  startRssMb: number;
  peakRssMb: number;
  kinds: Record<string, number>;
}

const connect = (port: number) =>
  new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });

/** True when the server closes the socket within `ms` (a refused connection is closed at once). */
const closedWithin = (socket: net.Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

export async function fuzzScenario(count: number, seconds: number, log: (line: string) => void, options: { idle?: number; lanes?: number; slowLanes?: number } = {}): Promise<FuzzRow> {
  const idle = options.idle ?? 1000;
  const lanes = options.lanes ?? 6;
  const slowLanes = options.slowLanes ?? 2;
  const limit = idle + lanes + slowLanes + 4;
  const maxFrameBytes = 64 * 1024;
  const root = mkdtempSync(path.join(os.tmpdir(), 'caraloom-bench-fuzz-'));
  const sink = await startFarSide();
  const child = await startChild<{ mllp: string }>('connector', { dataDir: root, apiUrl: sink.url, apiKey: 'bench-key-0123456789', connector: { mllp: { maxConnections: limit, maxFrameBytes, idleTimeoutMs: 120_000 } } });
  const port = portOf(child.info.mllp);
  const row: FuzzRow = { frames: 0, answered: 0, closedUnanswered: 0, hung: 0, limit, idleHeld: 0, refusedOverLimit: 0, overLimitExpected: 0, alive: false, startRssMb: (await memoryOf(child.proc.pid!)).rssMb, peakRssMb: 0, kinds: {} };
  const sampler = setInterval(() => void memoryOf(child.proc.pid!).then((m) => (row.peakRssMb = Math.max(row.peakRssMb, m.peakMb)), () => undefined), 500);
  const held: net.Socket[] = [];
  try {
    // A thousand idle connections, then more than the limit allows.
    for (let i = 0; i < idle; i++) held.push(await connect(port));
    for (const s of held) s.on('error', () => undefined);
    const extra = await Promise.all(Array.from({ length: lanes + slowLanes + 4 + 20 }, () => connect(port).catch(() => undefined)));
    const closed = await Promise.all(extra.map((s) => (s === undefined ? true : closedWithin(s, 1500))));
    row.refusedOverLimit = closed.filter(Boolean).length;
    row.overLimitExpected = extra.length - (limit - idle);
    row.idleHeld = held.filter((s) => !s.destroyed).length;
    for (const s of extra) s?.destroy();
    log(`  ${row.idleHeld} idle connections held, ${row.refusedOverLimit} of ${extra.length} past them refused (limit ${limit})`);
    // Free room for the fuzz lanes (keep most idle ones open throughout).
    for (const s of held.splice(0, lanes + slowLanes + 4)) s.destroy();
    await new Promise((r) => setTimeout(r, 200));

    const deadline = performance.now() + seconds * 1000;
    let budget = count;
    const lane = async (seed: number, slow: boolean) => {
      const next = fuzzFrames(seed, maxFrameBytes);
      let socket: net.Socket | undefined;
      let decoder = new MllpDecoder();
      let waiting: ((answered: 'reply' | 'closed') => void) | undefined;
      while (budget > 0 && performance.now() < deadline) {
        if (socket === undefined || socket.destroyed) {
          socket = await connect(port);
          decoder = new MllpDecoder();
          socket.on('data', (chunk: Buffer) => {
            for (const event of decoder.push(chunk)) if (event.type === 'frame') waiting?.('reply');
          });
          socket.on('close', () => waiting?.('closed'));
          socket.on('error', () => undefined);
        }
        const frame: FuzzFrame = next();
        budget--;
        row.frames++;
        row.kinds[frame.kind] = (row.kinds[frame.kind] ?? 0) + 1;
        const outcome = await new Promise<'reply' | 'closed' | 'hung'>((resolve) => {
          const timer = setTimeout(() => resolve('hung'), 10_000);
          waiting = (answered) => {
            clearTimeout(timer);
            waiting = undefined;
            resolve(answered);
          };
          const s = socket!;
          if (!slow) s.write(frame.bytes);
          else {
            // Slow sender: the frame in 16 small pieces spread over ~0.5 s.
            const step = Math.ceil(frame.bytes.length / 16);
            let at = 0;
            const drip = () => {
              if (s.destroyed || at >= frame.bytes.length) return;
              s.write(frame.bytes.subarray(at, at + step));
              at += step;
              setTimeout(drip, 30);
            };
            drip();
          }
        });
        if (outcome === 'reply') row.answered++;
        else if (outcome === 'closed') row.closedUnanswered++;
        else {
          row.hung++;
          socket.destroy();
        }
      }
      socket?.destroy();
    };
    await Promise.all([...Array.from({ length: lanes }, (_, i) => lane(100 + i, false)), ...Array.from({ length: slowLanes }, (_, i) => lane(200 + i, true))]);
    row.alive = child.proc.exitCode === null && child.proc.signalCode === null && (await connect(port).then((s) => (s.destroy(), true), () => false));
    row.peakRssMb = Math.max(row.peakRssMb, (await memoryOf(child.proc.pid!)).peakMb);
    log(`  ${row.frames} frames: ${row.answered} answered, ${row.closedUnanswered} closed, ${row.hung} hung; alive ${row.alive}; RSS ${row.startRssMb.toFixed(0)} → peak ${row.peakRssMb.toFixed(0)} MB`);
    return row;
  } finally {
    clearInterval(sampler);
    for (const s of held) s.destroy();
    await child.kill();
    await sink.close();
    rmSync(root, { recursive: true, force: true });
  }
}
