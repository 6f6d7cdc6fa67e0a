/**
 * MLLP framing (HL7 v2 "Minimal Lower Layer Protocol", HL7 Implementation
 * Guide appendix C): a frame is `0x0B payload 0x1C 0x0D`. Pure: works on
 * Buffers only and never touches a socket, so the listener, the client and
 * the tests share one implementation.
 */

/** Start block (VT). */
export const START_BLOCK = 0x0b;
/** End block (FS). */
export const END_BLOCK = 0x1c;
/** Carriage return that must follow the end block. */
export const CARRIAGE_RETURN = 0x0d;

/** 1 MiB: far above any real ADT (a few KiB) yet small enough that a runaway sender cannot exhaust memory. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** How much of an oversize frame is kept to answer it (the MSH segment lives there). */
const OVERSIZE_HEAD_BYTES = 4096;

/** Wraps a payload in an MLLP frame. Strings are encoded as UTF-8; pass a Buffer for any other encoding. */
export function encodeFrame(payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const frame = Buffer.allocUnsafe(body.length + 3);
  frame[0] = START_BLOCK;
  body.copy(frame, 1);
  frame[body.length + 1] = END_BLOCK;
  frame[body.length + 2] = CARRIAGE_RETURN;
  return frame;
}

/** What {@link MllpDecoder.push} found in a chunk, in stream order. */
export type MllpEvent =
  /** A complete frame's payload (without the framing bytes). */
  | { type: 'frame'; payload: Buffer }
  /** Bytes outside any frame (noise, keep-alive newlines, a stray end block) that were dropped. */
  | { type: 'skipped'; bytes: number }
  /**
   * A frame grew past `maxFrameBytes`. Its bytes are discarded as they arrive
   * until its end block, so memory stays bounded; `bytes` is how many were
   * seen when the limit was crossed, `head` the frame's first bytes (up to
   * 4 KiB: enough for the MSH, so the AR can echo MSH-10). Patient data.
   */
  | { type: 'oversize'; bytes: number; head: Buffer };

export interface MllpDecoderOptions {
  /** Largest payload accepted, in bytes. @default 1048576 (1 MiB) */
  maxFrameBytes?: number;
}

/**
 * Incremental MLLP deframer. Feed it socket chunks in order; it returns the
 * events each chunk completes. It holds at most `maxFrameBytes` (+1) bytes of
 * one unfinished frame: never an unbounded buffer.
 *
 * A `0x1C` not followed by `0x0D` is kept as payload (MLLP says the pair ends a
 * frame). A new start block inside an unfinished frame restarts the frame: the
 * earlier bytes are reported as skipped, because a sender that restarts has
 * given up on them (this is what resynchronises after a truncated frame).
 */
export class MllpDecoder {
  readonly maxFrameBytes: number;
  private parts: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  private discarding = false;
  private discarded = 0;
  /** The previous chunk ended in 0x1C inside a frame: the next byte decides. */
  private pendingEnd = false;
  private ended = 0;

  constructor(options: MllpDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isInteger(max) || max < 1) {
      throw new TypeError(`Expected \`maxFrameBytes\` to be an integer >= 1, got \`${String(max)}\` (${typeof max})`);
    }
    this.maxFrameBytes = max;
  }

  /** True while part of a frame has been received and not yet ended. */
  get pending(): boolean {
    return this.inFrame;
  }

  /** Frames ended so far (answered or oversize): the listener's frame deadline restarts when this moves. */
  get framesEnded(): number {
    return this.ended;
  }

  /** Bytes currently buffered for the unfinished frame. */
  get bufferedBytes(): number {
    return this.size;
  }

  push(chunk: Buffer): MllpEvent[] {
    if (chunk.length === 0) return [];
    const events: MllpEvent[] = [];
    let skipped = 0;
    const flushSkipped = (): void => {
      if (skipped > 0) events.push({ type: 'skipped', bytes: skipped });
      skipped = 0;
    };
    let i = 0;
    if (this.pendingEnd) {
      this.pendingEnd = false;
      if (chunk[0] === CARRIAGE_RETURN) {
        this.finishFrame(events);
        i = 1;
      } else {
        this.append(Buffer.from([END_BLOCK]), events);
      }
    }
    while (i < chunk.length) {
      if (!this.inFrame) {
        const start = chunk.indexOf(START_BLOCK, i);
        if (start < 0) {
          skipped += chunk.length - i;
          break;
        }
        skipped += start - i;
        flushSkipped();
        this.beginFrame();
        i = start + 1;
        continue;
      }
      // Inside a frame: find the nearest end block, then a (restarting) start
      // block only before it, so many frames in one chunk stay a linear scan.
      const end = chunk.indexOf(END_BLOCK, i);
      const before = chunk.subarray(i, end < 0 ? chunk.length : end).indexOf(START_BLOCK);
      const restart = before < 0 ? -1 : i + before;
      if (restart >= 0) {
        this.append(chunk.subarray(i, restart), events);
        const lost = this.discarding ? 0 : this.size + 1; // +1: the earlier start block
        this.beginFrame();
        if (lost > 0) events.push({ type: 'skipped', bytes: lost });
        i = restart + 1;
        continue;
      }
      if (end < 0) {
        this.append(chunk.subarray(i), events);
        break;
      }
      if (end + 1 >= chunk.length) {
        this.append(chunk.subarray(i, end), events);
        this.pendingEnd = true;
        break;
      }
      if (chunk[end + 1] === CARRIAGE_RETURN) {
        this.append(chunk.subarray(i, end), events);
        this.finishFrame(events);
        i = end + 2;
      } else {
        this.append(chunk.subarray(i, end + 1), events);
        i = end + 1;
      }
    }
    flushSkipped();
    return events;
  }

  /** Forgets any unfinished frame (e.g. when the socket closes); returns how many bytes were dropped. */
  reset(): number {
    const dropped = this.inFrame ? this.size + 1 + this.discarded : 0;
    this.parts = [];
    this.size = 0;
    this.inFrame = false;
    this.discarding = false;
    this.discarded = 0;
    this.pendingEnd = false;
    return dropped;
  }

  private beginFrame(): void {
    this.parts = [];
    this.size = 0;
    this.inFrame = true;
    this.discarding = false;
    this.discarded = 0;
  }

  private append(bytes: Buffer, events: MllpEvent[]): void {
    if (bytes.length === 0) return;
    if (this.discarding) {
      this.discarded += bytes.length;
      return;
    }
    if (this.size + bytes.length > this.maxFrameBytes) {
      const seen = this.size + bytes.length;
      const head = Buffer.concat([...this.parts, bytes.subarray(0, OVERSIZE_HEAD_BYTES)]).subarray(0, OVERSIZE_HEAD_BYTES);
      this.parts = [];
      this.size = 0;
      this.discarding = true;
      this.discarded = seen;
      events.push({ type: 'oversize', bytes: seen, head: Buffer.from(head) });
      return;
    }
    // Copy: the socket may reuse its chunk buffers.
    this.parts.push(Buffer.from(bytes));
    this.size += bytes.length;
  }

  private finishFrame(events: MllpEvent[]): void {
    if (!this.discarding) {
      const payload = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
      events.push({ type: 'frame', payload });
    }
    this.ended++;
    this.parts = [];
    this.size = 0;
    this.inFrame = false;
    this.discarding = false;
    this.discarded = 0;
  }
}
