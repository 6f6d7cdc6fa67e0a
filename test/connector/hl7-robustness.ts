/**
 * Property checks: whatever bytes arrive, decoding never throws, parsing
 * either succeeds or throws a coded Hl7ParseError, and an answer (ACK or
 * reject ACK) can always be built. This is what keeps one odd message from
 * crashing or hanging the connector.
 */
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { MllpDecoder, encodeFrame } from '../../core/mllp/codec.js';
import { buildAck } from '../../connector/hl7/ack.js';
import { decodeHl7 } from '../../connector/hl7/decode.js';
import { Hl7ParseError } from '../../connector/hl7/errors.js';
import { parseHl7 } from '../../connector/hl7/parse.js';
import { ackForOversize, ackForParseError } from '../../connector/hl7/reject.js';
import { corpusFiles } from '../helpers/corpus.js';

const corpus = corpusFiles('hl7').map((file) => file.bytes);

/** Asserts a fast-check property (fc.assert throws with the counter-example when it fails). */
function holds<T>(t: ExecutionContext, property: fc.IPropertyWithHooks<T>, numRuns: number): void {
  t.notThrows(() => fc.assert(property, { numRuns }));
}

/** Decode, parse and answer like a door would; returns the answer text. */
function answer(bytes: Buffer): string {
  const decoded = decodeHl7(bytes);
  try {
    return buildAck(parseHl7(decoded.text, { encoding: decoded.encoding }), { code: 'AA' });
  } catch (error) {
    if (!(error instanceof Hl7ParseError)) throw error;
    return ackForParseError(decoded.text, error);
  }
}

test('arbitrary bytes always get an answer that itself parses', (t) => {
  holds(
    t,
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      const reply = answer(Buffer.from(bytes));
      return parseHl7(reply).header.messageType === 'ACK';
    }),
    300,
  );
});

test('corpus messages with random bytes overwritten always get an answer that parses', (t) => {
  const mutated = fc
    .tuple(fc.constantFrom(...corpus), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }))
    .map(([bytes, edits]) => {
      const copy = Buffer.from(bytes);
      for (const [at, value] of edits) copy[at % copy.length] = value;
      return copy;
    });
  holds(
    t,
    fc.property(mutated, (bytes) => parseHl7(answer(bytes)).header.messageType === 'ACK'),
    300,
  );
});

test('msh lines built from delimiter soup parse or fail with a coded error', (t) => {
  const soup = fc.string({ unit: fc.constantFrom('|', '^', '~', '\\', '&', '#', '*', 'A', '1', ' ', '\r', '\n'), maxLength: 60 });
  holds(
    t,
    fc.property(soup, (tail) => {
      try {
        parseHl7(`MSH${tail}`);
        return true;
      } catch (error) {
        return error instanceof Hl7ParseError;
      }
    }),
    500,
  );
});

test('oversize answers are built from any head', (t) => {
  holds(
    t,
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const reply = ackForOversize(Buffer.from(bytes), 1024);
      return reply === undefined || parseHl7(reply.toString('latin1')).header.messageType === 'ACK';
    }),
    200,
  );
});

test('the mllp decoder returns every frame whatever the chunking', (t) => {
  const payload = fc.uint8Array({ maxLength: 50 }).map((bytes) => Buffer.from(bytes.filter((b) => b !== 0x0b && b !== 0x1c)));
  holds(
    t,
    fc.property(fc.array(payload, { maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (payloads, sizes) => {
      const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
      const decoder = new MllpDecoder();
      const frames: Buffer[] = [];
      let at = 0;
      let i = 0;
      while (at < stream.length) {
        const size = sizes[i++ % sizes.length]!;
        for (const event of decoder.push(stream.subarray(at, at + size))) if (event.type === 'frame') frames.push(event.payload);
        at += size;
      }
      return frames.length === payloads.length && frames.every((frame, n) => frame.equals(payloads[n]!));
    }),
    300,
  );
});
