/**
 * Malformed and random MLLP traffic for the socket-level fuzz run: each
 * generator returns the bytes to write and whether a reply is owed (a
 * complete frame is owed one; bytes outside a frame are not).
 */
import { encodeFrame } from '../../core/mllp/codec.js';
import { adtGenerator, prng } from './adt.js';

export interface FuzzFrame {
  kind: string;
  bytes: Buffer;
  /** Complete frames the server must answer (or close the connection). */
  owed: number;
}

/** Replace the framing bytes MLLP reserves, so a payload never ends or restarts its own frame. */
function unframed(buffer: Buffer): Buffer {
  for (let i = 0; i < buffer.length; i++) if (buffer[i] === 0x0b || buffer[i] === 0x1c) buffer[i] = 0x58;
  return buffer;
}

export function fuzzFrames(seed: number, maxFrameBytes: number): () => FuzzFrame {
  const random = prng(seed);
  const adt = adtGenerator({ seed, controlPrefix: `F${seed}-` });
  const int = (n: number) => Math.floor(random() * n);
  const kinds: (() => FuzzFrame)[] = [
    // Random bytes in a frame: nothing HL7 about it.
    () => ({ kind: 'random', bytes: encodeFrame(unframed(Buffer.from(Array.from({ length: 1 + int(400) }, () => int(256))))), owed: 1 }),
    // A real message with bytes flipped, cut short, or segments shuffled.
    () => {
      const text = Buffer.from(adt.next().text, 'latin1');
      const mode = int(3);
      if (mode === 0) for (let k = 0; k < 1 + int(8); k++) text[int(text.length)] = int(256);
      const body = mode === 1 ? text.subarray(0, int(text.length)) : mode === 2 ? Buffer.from(text.toString('latin1').split('\r').sort(() => random() - 0.5).join('\r'), 'latin1') : text;
      return { kind: 'mutated', bytes: encodeFrame(unframed(Buffer.from(body))), owed: 1 };
    },
    // MSH only, broken header fields.
    () => ({ kind: 'bad-msh', bytes: encodeFrame(['MSH|', 'MSH|^~\\&', 'MSH|^~\\&|A|B|C|D|x||ADT^A03|', 'PID|1||X', 'MSH^~\\&|||'][int(5)]!), owed: 1 }),
    // A valid message: must get AA (or AE/AR by content).
    () => ({ kind: 'valid', bytes: encodeFrame(adt.next().text), owed: 1 }),
    // A frame that starts and is abandoned (a new start block restarts), then a complete one.
    () => {
      const partial = Buffer.concat([Buffer.from([0x0b]), unframed(Buffer.from(adt.next().text.slice(0, 40 + int(200)), 'latin1'))]);
      return { kind: 'partial+valid', bytes: Buffer.concat([partial, encodeFrame(adt.next().text)]), owed: 1 };
    },
    // Noise outside any frame (keep-alive newlines, stray end blocks): owed nothing, then a valid frame.
    () => ({ kind: 'noise+valid', bytes: Buffer.concat([Buffer.from('\r\n\n\x1c\r  '), encodeFrame(adt.next().text)]), owed: 1 }),
    // Bigger than the limit: answered AR, never buffered whole.
    () => ({ kind: 'oversize', bytes: encodeFrame(Buffer.concat([Buffer.from(adt.next().text, 'latin1'), Buffer.alloc(maxFrameBytes + 1 + int(1000), 0x41)])), owed: int(50) === 0 ? 1 : -1 }),
  ];
  return () => {
    const frame = kinds[int(kinds.length)]!();
    // Oversize frames are rare (1 in 50 draws of that kind), the rest redraw.
    if (frame.owed === -1) return kinds[3]!();
    return frame;
  };
}
