/**
 * Splits a file that holds several HL7 messages (an engine's outbound file,
 * a sample batch) into one Buffer per message. Works on bytes so each
 * message keeps its own encoding; ASCII-compatible encodings only (the MSH
 * line and the separators are ASCII in all of them).
 */

export interface SplitOptions {
  /** Turn LF and CRLF segment separators into CR, as on the wire. @default true */
  toCarriageReturns?: boolean;
}

/**
 * A new message starts at `MSH` at the start of the file or of a line. A UTF-8
 * BOM, MLLP framing bytes and FHS/BHS/BTS/FTS batch envelope lines are
 * dropped; blank lines between messages are ignored.
 */
export function splitMessages(bytes: Buffer, options: SplitOptions = {}): Buffer[] {
  let view = bytes;
  if (view[0] === 0xef && view[1] === 0xbb && view[2] === 0xbf) view = view.subarray(3);
  // latin1 maps each byte to one UTF-16 unit: offsets in the string are byte offsets.
  const text = view.toString('latin1');
  const starts: number[] = [];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: VT and FS are MLLP's start and end blocks, left around messages by some senders
  const re = /(^|[\r\n\u000b\u001c])MSH/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) starts.push(m.index + m[1]!.length);
  const messages: Buffer[] = [];
  for (let i = 0; i < starts.length; i++) {
    const chunk = view.subarray(starts[i], starts[i + 1] ?? view.length);
    const cleaned = clean(chunk, options.toCarriageReturns ?? true);
    if (cleaned.length > 0) messages.push(cleaned);
  }
  return messages;
}

const ENVELOPE = /^(FHS|BHS|BTS|FTS)\W/;

function clean(chunk: Buffer, toCr: boolean): Buffer {
  if (!toCr) {
    const stripped = stripFraming(chunk);
    return stripped.subarray(0, trimmedLength(stripped));
  }
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= chunk.length; i++) {
    const byte = chunk[i];
    if (i === chunk.length || byte === 0x0d || byte === 0x0a) {
      const line = stripFraming(chunk.subarray(start, i));
      if (line.length > 0 && !ENVELOPE.test(line.toString('latin1', 0, 4))) lines.push(line);
      start = i + 1;
    }
  }
  return Buffer.concat(lines.flatMap((line, i) => (i === 0 ? [line] : [Buffer.from([0x0d]), line])));
}

function stripFraming(line: Buffer): Buffer {
  let s = 0;
  let e = line.length;
  while (s < e && (line[s] === 0x0b || line[s] === 0x1c)) s++;
  while (e > s && (line[e - 1] === 0x0b || line[e - 1] === 0x1c)) e--;
  return line.subarray(s, e);
}

function trimmedLength(chunk: Buffer): number {
  let e = chunk.length;
  while (e > 0 && (chunk[e - 1] === 0x0d || chunk[e - 1] === 0x0a || chunk[e - 1] === 0x20)) e--;
  return e;
}
