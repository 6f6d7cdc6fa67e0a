import test from 'ava';
import fc from 'fast-check';
import { MllpDecoder, encodeFrame, type MllpEvent } from '../../core/mllp/codec.js';

// Payload bytes that cannot end or restart a frame (MLLP reserves 0x0B and 0x1C).
const payload = fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes.map((b) => (b === 0x0b || b === 0x1c ? 0x41 : b))));

/** Feed `stream` to a decoder cut at the given points; collect every event. */
function decodeInPieces(stream: Buffer, cuts: number[], maxFrameBytes = 1024 * 1024): { events: MllpEvent[]; peakBuffered: number } {
  const decoder = new MllpDecoder({ maxFrameBytes });
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const events: MllpEvent[] = [];
  let at = 0;
  let peakBuffered = 0;
  for (const point of [...points, stream.length]) {
    events.push(...decoder.push(stream.subarray(at, point)));
    peakBuffered = Math.max(peakBuffered, decoder.bufferedBytes);
    at = point;
  }
  return { events, peakBuffered };
}

const frames = (events: MllpEvent[]) => events.filter((e): e is Extract<MllpEvent, { type: 'frame' }> => e.type === 'frame').map((e) => e.payload.toString('latin1'));

test('frames come back whole and in order however the stream is cut', (t) => {
  fc.assert(
    fc.property(fc.array(payload, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 40 }), (payloads, cuts) => {
      const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
      return JSON.stringify(frames(decodeInPieces(stream, cuts).events)) === JSON.stringify(payloads.map((p) => p.toString('latin1')));
    }),
    { numRuns: 300 },
  );
  t.deepEqual(frames(decodeInPieces(encodeFrame('MSH|x'), [2]).events), ['MSH|x']);
});

test('noise between frames is skipped and never changes a frame', (t) => {
  const noise = fc.uint8Array({ maxLength: 50 }).map((bytes) => Buffer.from(bytes.filter((b) => b !== 0x0b)));
  let checked = 0;
  fc.assert(
    fc.property(fc.array(fc.tuple(noise, payload), { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 20 }), (pairs, cuts) => {
      const stream = Buffer.concat(pairs.flatMap(([n, p]) => [n, encodeFrame(p)]));
      checked++;
      return JSON.stringify(frames(decodeInPieces(stream, cuts).events)) === JSON.stringify(pairs.map(([, p]) => p.toString('latin1')));
    }),
    { numRuns: 300 },
  );
  t.is(checked, 300);
});

test('arbitrary bytes never throw and never buffer more than the frame limit', (t) => {
  const limit = 256;
  let peak = 0;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4000 }), fc.array(fc.nat(), { maxLength: 30 }), (bytes, cuts) => {
      const result = decodeInPieces(Buffer.from(bytes), cuts, limit);
      peak = Math.max(peak, result.peakBuffered);
      return result.peakBuffered <= limit + 1;
    }),
    { numRuns: 300 },
  );
  t.true(peak <= limit + 1);
});

test('an oversize frame is reported once and the next frame still decodes', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 65, max: 3000 }), payload, fc.array(fc.nat(), { maxLength: 20 }), (size, next, cuts) => {
      const stream = Buffer.concat([encodeFrame(Buffer.alloc(size, 0x41)), encodeFrame(next)]);
      const { events } = decodeInPieces(stream, cuts, 64);
      const oversize = events.filter((e) => e.type === 'oversize').length;
      const decoded = frames(events);
      return oversize === 1 && (next.length > 64 ? decoded.length === 0 : decoded.length === 1 && decoded[0] === next.toString('latin1'));
    }),
    { numRuns: 200 },
  );
  t.is(frames(decodeInPieces(Buffer.concat([encodeFrame(Buffer.alloc(100, 0x41)), encodeFrame('ok')]), [], 64).events)[0], 'ok');
});
