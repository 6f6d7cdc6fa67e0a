/**
 * ER7 text → {@link Hl7Message}. A hand splitter rather than hl7v2's
 * dictionary-typed parser: the connector needs every field as written (the
 * mapping engine owns interpretation), the whole ingest budget is a few
 * hundred microseconds, and hl7v2 1.9 silently decodes `8859/1` messages as
 * UTF-8. Measured figures are in docs/mllp.md.
 */
import { Hl7ParseError } from './errors.js';
import { type Hl7Delimiters, unescapeValue } from './escape.js';
import type { Hl7Field, Hl7Header, Hl7Message, Hl7Segment } from './model.js';
import { recoverSegmentSeparators } from './recover.js';

export interface ParseOptions {
  /** The encoding the text was decoded from, recorded on the message. @default 'utf-8' */
  encoding?: string;
  /**
   * Split segments that a broken sender glued onto the previous one with a
   * space instead of CR (e.g. `…|N ROL|1|…`), when the glued name is a
   * standard HL7 segment. Recorded in `message.repairs`.
   * @default true
   */
  repairSegmentSeparators?: boolean;
}

const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/;

/**
 * Parses one HL7 v2 message. Accepts CR, LF or CRLF separators, blank lines,
 * a leading BOM or whitespace, four or five encoding characters and any
 * delimiter choice. Throws {@link Hl7ParseError} (HL7_EMPTY, MSH_MISSING,
 * MSH_MALFORMED with the MSH field, SEGMENT_MALFORMED with its position).
 */
export function parseHl7(input: string, options: ParseOptions = {}): Hl7Message {
  const text = normaliseText(input);
  if (text === '') throw new Hl7ParseError('HL7_EMPTY', 'empty message', { hl7Code: 100 });
  if (!text.startsWith('MSH')) {
    // Say which: a frame with no header at all (a stray PID, a truncated send) is not an out-of-order one.
    const hasMsh = /(^|\r)MSH/.test(text);
    const reason = hasMsh ? 'message does not start with MSH: the MSH segment must come first' : 'no MSH segment: a message must start with its MSH header';
    throw new Hl7ParseError('MSH_MISSING', reason, { hl7Code: 100, location: 'MSH' });
  }
  const delimiters = readDelimiters(text);
  let lines = text.split('\r').filter((line) => line.trim() !== '');
  let repairs: string[] = [];
  if (options.repairSegmentSeparators ?? true) {
    ({ lines, repairs } = recoverSegmentSeparators(lines, delimiters.field));
  }
  const segments = lines.map((line, index) => parseSegment(line, index, delimiters));
  const header = readHeader(segments[0]!, delimiters);
  const message: Hl7Message = { header, segments, text: lines.join('\r'), encoding: options.encoding ?? 'utf-8' };
  if (repairs.length > 0) message.repairs = repairs;
  return message;
}

/**
 * CR segment separators, no BOM, no leading whitespace or trailing separators.
 * Trimming is a loop, not a `/\s+$/` regex: an unanchored regex goes
 * quadratic on a long run of spaces inside a message (20,000 spaces took
 * 0.8 s), which one odd message must never cost the connector.
 */
function normaliseText(input: string): string {
  let text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.includes('\n')) text = text.replace(/\r\n|\n\r|\n/g, '\r');
  let start = 0;
  let end = text.length;
  while (start < end && isPadding(text.charCodeAt(start))) start++;
  while (end > start && isPadding(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Whitespace, VT (MLLP start block) and FS (end block) left around a message. */
function isPadding(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x1c || code === 0xa0 || code === 0xfeff;
}

function readDelimiters(text: string): Hl7Delimiters {
  const field = text[3] ?? '';
  if (field === '' || /[A-Za-z0-9\s]/.test(field)) {
    throw malformed(1, 'MSH-1 field separator is missing or invalid', 102);
  }
  const end = text.indexOf(field, 4);
  const lineEnd = text.indexOf('\r');
  const stop = end < 0 || (lineEnd >= 0 && lineEnd < end) ? (lineEnd < 0 ? text.length : lineEnd) : end;
  const chars = text.slice(4, stop);
  const distinct = new Set([field, ...chars]);
  if (chars.length < 4 || chars.length > 5 || distinct.size !== chars.length + 1 || /[A-Za-z0-9\s]/.test(chars)) {
    throw malformed(2, 'MSH-2 encoding characters are invalid', 102);
  }
  return {
    field,
    component: chars[0]!,
    repetition: chars[1]!,
    escape: chars[2]!,
    subcomponent: chars[3]!,
    truncation: chars[4] ?? '',
  };
}

function parseSegment(line: string, index: number, d: Hl7Delimiters): Hl7Segment {
  const name = line.slice(0, 3);
  const next = line[3];
  if (!SEGMENT_NAME.test(name) || (next !== undefined && next !== d.field)) {
    throw new Hl7ParseError('SEGMENT_MALFORMED', 'segment name is invalid', {
      hl7Code: 100,
      segment: index + 1,
      location: `${index + 1}`,
    });
  }
  const raw = line.split(d.field);
  const fields: Hl7Field[] = [[[['']]]];
  if (name === 'MSH' && index === 0) {
    // MSH-1 is the separator itself and MSH-2 the encoding characters: neither is split.
    fields.push([[[d.field]]], [[[raw[1] ?? '']]]);
    for (let n = 2; n < raw.length; n++) fields.push(parseField(raw[n]!, d));
  } else {
    for (let n = 1; n < raw.length; n++) fields.push(parseField(raw[n]!, d));
  }
  return { name, fields };
}

function parseField(value: string, d: Hl7Delimiters): Hl7Field {
  if (!hasAny(value, d)) return [[[value]]];
  return value.split(d.repetition).map((rep) =>
    rep.split(d.component).map((comp) => comp.split(d.subcomponent).map((sub) => unescapeValue(sub, d))),
  );
}

function hasAny(value: string, d: Hl7Delimiters): boolean {
  return (
    value.includes(d.repetition) ||
    value.includes(d.component) ||
    value.includes(d.subcomponent) ||
    value.includes(d.escape)
  );
}

function readHeader(msh: Hl7Segment, d: Hl7Delimiters): Hl7Header {
  const messageType = leaf(msh, 9, 0);
  if (messageType === '') throw malformed(9, 'MSH-9 message type is missing', 101);
  return {
    fieldSeparator: d.field,
    encodingCharacters: leaf(msh, 2, 0),
    sendingApplication: whole(msh, 3),
    sendingFacility: whole(msh, 4),
    receivingApplication: whole(msh, 5),
    receivingFacility: whole(msh, 6),
    dateTime: leaf(msh, 7, 0),
    messageType,
    triggerEvent: leaf(msh, 9, 1),
    messageStructure: leaf(msh, 9, 2),
    controlId: leaf(msh, 10, 0),
    processingId: leaf(msh, 11, 0),
    version: leaf(msh, 12, 0),
    acceptAckType: leaf(msh, 15, 0),
    applicationAckType: leaf(msh, 16, 0),
    characterSet: leaf(msh, 18, 0),
  };
}

/** First repetition, component `c` (0-based), first sub-component; trimmed. */
function leaf(segment: Hl7Segment, n: number, c: number): string {
  return (segment.fields[n]?.[0]?.[c]?.[0] ?? '').trim();
}

/** First repetition, components joined with `^` and sub-components with `&` (canonical, whatever MSH-2 says). */
function whole(segment: Hl7Segment, n: number): string {
  const rep = segment.fields[n]?.[0] ?? [];
  return rep
    .map((comp) => comp.join('&'))
    .join('^')
    .replace(/[\^&]+$/, '');
}

function malformed(field: number, message: string, hl7Code: number): Hl7ParseError {
  return new Hl7ParseError('MSH_MALFORMED', message, { hl7Code, field, location: `MSH^1^${field}` });
}
