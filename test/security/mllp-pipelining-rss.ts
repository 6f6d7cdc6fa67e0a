/**
 * Issue #11.3, pipelining: a sender may pipeline frames without waiting for
 * ACKs, but the connector must not read them all into memory. Before the
 * fix each connection queued up to 32 frames (5 connections × 20 pipelined
 * 1 MB frames took a connector from 189 MB to 1,484 MB RSS); now a socket is
 * not read while its ACK is pending and the listener handles at most
 * `maxInFlightBytes` of frames at once. The connector runs as a child
 * process with the default config so its peak RSS (VmHWM) is its own.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { MllpDecoder, encodeFrame } from '../../core/mllp/codec.js';
import { spawnReady } from '../helpers/child.js';
import { MAPPINGS_DIR } from '../helpers/connector.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';

/** Up to the default per-peer limit; each past the old per-connection queue of 32 frames. */
const CONNECTIONS = 10;
const FRAMES_PER_CONNECTION = 34;
const FRAME_BYTES = 1_000_000;
/** Measured here under tsx: the old code peaked at 501 MB, the new at 322 MB. */
const BOUND_MB = 400;
/** ACKs to wait for: by then the old code had read (and queued) nearly all 340 frames. */
const ACKS = 160;

const sample = readFileSync(path.resolve('samples/hl7/adt-a03-home-health.hl7'), 'latin1').replace(/\r?\n/g, '\r').trim();

/** A valid A03 padded to ~1 MB with one long NTE comment: it is stored and answered AA. */
function bigMessage(id: string): Buffer {
  const text = sample.replace('RB20261120143012001', id);
  return encodeFrame(Buffer.from(`${text}\rNTE|1||${'x'.repeat(FRAME_BYTES - text.length - 8)}`, 'latin1'));
}

const peakMb = (pid: number): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

test('pipelined 1 MB frames from 10 connections keep the connector under 400 MB RSS', async (t) => {
  t.timeout(120_000);
  const { child, port } = await spawnReady(t, 'test/fixtures/connector-child.ts', [tempDir(t), 'http://127.0.0.1:9', 'clk_live_test_key', MAPPINGS_DIR]);
  const codes: string[] = [];
  const sockets = Array.from({ length: CONNECTIONS }, (_, c) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    t.teardown(() => socket.destroy());
    const decoder = new MllpDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) if (event.type === 'frame') codes.push(/MSA\|([A-Z]{2})/.exec(event.payload.toString('latin1'))?.[1] ?? '?');
    });
    socket.on('error', () => undefined);
    // Everything written at once, never waiting for an ACK.
    for (let i = 0; i < FRAMES_PER_CONNECTION; i++) socket.write(bigMessage(`PIPE${c}-${i}`));
    return socket;
  });
  await eventually(() => codes.length >= ACKS, { timeoutMs: 100_000, what: `${ACKS} ACKs` });
  const peak = peakMb(child.pid!);
  for (const socket of sockets) socket.destroy();
  t.log(`connector peak RSS ${peak.toFixed(0)} MB after ${codes.length} ACKs`);
  t.true(codes.every((code) => code === 'AA'), codes.join(','));
  t.true(peak < BOUND_MB, `peak RSS ${peak.toFixed(0)} MB`);
});
