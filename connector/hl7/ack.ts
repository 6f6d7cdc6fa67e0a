/**
 * Builds HL7 v2 acknowledgements ourselves: hl7v2's createAck drops MSH-3, 5
 * and 11, which Mirth and Rhapsody use to route the ACK back. Pure except for
 * the defaults of `now` and `controlId`, which callers (and tests) can pass.
 */
import { randomBytes } from 'node:crypto';
import type { AckCode } from './ack-mode.js';
import { DEFAULT_DELIMITERS, type Hl7Delimiters, delimitersOf, encodingCharacters, escapeValue } from './escape.js';
import type { Hl7Message } from './model.js';
import { serializeField } from './serialize.js';

/** One ERR segment (HL7 v2.5+ layout; ERR-1 is also written for v2.1–2.4 receivers). */
export interface AckError {
  /**
   * ERR-2 location (ERL): segment ^ occurrence ^ field ^ repetition ^ component ^ sub-component,
   * written with `^` here (e.g. `DG1^1^3^1`, `PV1^1^36`); re-delimited for the message.
   */
  location?: string;
  /** HL7 table 0357 code: 100 segment sequence, 101 required field missing, 102 data type, 103 table value not found, 200 unsupported message type, 201 event, 202 processing id, 203 version, 207 application internal error. */
  code: number;
  /** ERR-3.2 text; defaults to the table-0357 wording. */
  codeText?: string;
  /** ERR-4 severity. @default 'E' */
  severity?: 'E' | 'W' | 'I';
  /** ERR-8 user message (escaped). Never patient data. */
  userMessage?: string;
}

export interface AckOptions {
  code: AckCode;
  /** MSA-3 text (escaped). Never patient data. */
  text?: string;
  errors?: AckError[];
  /** MSH-10 of the ACK. @default a random 20-character id */
  controlId?: string;
  /** MSH-7. @default new Date() */
  now?: Date;
}

/** Table 0357 wording, for ERR-3.2 when the caller gives none. */
export const HL7_ERROR_TEXT: Readonly<Record<number, string>> = Object.freeze({
  0: 'Message accepted',
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  104: 'Value too long',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
});

/**
 * The ACK for a parsed message, in its own delimiters: MSH-3/4 ↔ MSH-5/6
 * swapped, MSH-9 `ACK^<trigger>^ACK`, MSH-11/12 and MSH-18 kept, MSA-2 echoing
 * MSH-10. Returns ER7 text with CR separators (encode it with the message's
 * `encoding`, see decode.ts encodeHl7).
 */
export function buildAck(message: Hl7Message, options: AckOptions): string {
  const d = delimitersOf(message.header);
  const msh = message.segments[0]!;
  const raw = (n: number): string => serializeField(msh.fields[n], d);
  const commit = options.code.startsWith('C');
  const fields = [
    raw(5),
    raw(6),
    raw(3),
    raw(4),
    formatHl7Timestamp(options.now ?? new Date()),
    '',
    ['ACK', escapeValue(message.header.triggerEvent, d), 'ACK'].join(d.component),
    escapeValue(options.controlId ?? newControlId(), d),
    raw(11),
    raw(12),
    '',
    '',
    // A commit ack asks for nothing back; an original-mode ACK leaves these empty.
    commit ? 'NE' : '',
    commit ? 'NE' : '',
    '',
    raw(18),
  ];
  return assemble(d, fields, message.header.controlId, message.header.version, options);
}

/**
 * An AR (or CR) for input with no usable MSH: a minimal v2.5 header with
 * default delimiters. `salvage` (the raw text, if any) lends MSH-3..6, 10, 11
 * and 12 when they can be read, so the sender can still match the reply.
 */
export function buildRejectAck(salvage: string | undefined, options: AckOptions): string {
  const d = { ...DEFAULT_DELIMITERS };
  const h = salvageHeader(salvage ?? '');
  const clean = (value: string): string => escapeValue(value, d);
  const fields = [
    clean(h[5] ?? ''),
    clean(h[6] ?? ''),
    clean(h[3] ?? ''),
    clean(h[4] ?? ''),
    formatHl7Timestamp(options.now ?? new Date()),
    '',
    'ACK',
    clean(options.controlId ?? newControlId()),
    clean(h[11] || 'P'),
    clean(h[12] || '2.5'),
  ];
  return assemble(d, fields, h[10] ?? '', h[12] || '2.5', options);
}

function assemble(d: Hl7Delimiters, mshFields: string[], echoId: string, version: string, options: AckOptions): string {
  const msh = trimEnd(['MSH', encodingCharacters(d), ...mshFields]).join(d.field);
  const msa = trimEnd(['MSA', options.code, escapeValue(echoId, d), escapeValue(options.text ?? '', d)]).join(d.field);
  const legacy = versionBefore25(version);
  const errs = (options.errors ?? []).map((error) => errSegment(error, d, legacy));
  return [msh, msa, ...errs].join('\r');
}

function errSegment(error: AckError, d: Hl7Delimiters, legacy: boolean): string {
  const text = error.codeText ?? HL7_ERROR_TEXT[error.code] ?? '';
  const location = (error.location ?? '')
    .split('^')
    .map((part) => escapeValue(part, d))
    .join(d.component);
  const code = [String(error.code), escapeValue(text, d), 'HL70357'].join(d.component);
  // ERR-1 (ELD, v2.1–2.4): segment ^ occurrence ^ field ^ code&text&table.
  const eld = (error.location ?? '').split('^').slice(0, 3).map((part) => escapeValue(part, d));
  while (eld.length < 3) eld.push('');
  const err1 = legacy ? [...eld, [String(error.code), escapeValue(text, d), 'HL70357'].join(d.subcomponent)].join(d.component) : '';
  const fields = ['ERR', err1, location, code, error.severity ?? 'E', '', '', '', escapeValue(error.userMessage ?? '', d)];
  return trimEnd(fields).join(d.field);
}

/** Raw MSH fields by number (1-based, unsplit), read with whatever separator follows "MSH". */
function salvageHeader(text: string): Record<number, string> {
  const start = text.indexOf('MSH');
  if (start < 0 || start > 8) return {};
  const fs = text[start + 3];
  if (fs === undefined || /[A-Za-z0-9\s]/.test(fs)) return {};
  const rest = text.slice(start);
  const eol = rest.search(/[\r\n]/);
  const parts = (eol < 0 ? rest : rest.slice(0, eol)).split(fs);
  const out: Record<number, string> = {};
  // parts[0] = 'MSH', parts[n] = MSH-(n+1); keep only the first component of each.
  for (const n of [3, 4, 5, 6, 10, 11, 12]) out[n] = (parts[n - 1] ?? '').split(/[\^~&\\*]/)[0]!.trim().slice(0, 200);
  return out;
}

function versionBefore25(version: string): boolean {
  const [major = 2, minor = 5] = version.split('.').map(Number);
  return Number.isFinite(minor) && major === 2 && minor < 5;
}

function trimEnd(parts: string[]): string[] {
  let end = parts.length;
  while (end > 2 && parts[end - 1] === '') end--;
  return parts.slice(0, end);
}

/** HL7 DTM `YYYYMMDDHHMMSS+0000` in UTC: unambiguous whatever the server's time zone. */
export function formatHl7Timestamp(date: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}` +
    `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}+0000`
  );
}

/** Random bytes for control ids, drawn from once per 4,096 ACKs: one `randomBytes` call per ACK was a measurable share of the ACK path. */
const idPool = { bytes: Buffer.alloc(0), at: 0 };

/** 20 characters: the MSH-10 length limit (ST 20) before v2.7. */
export function newControlId(): string {
  if (idPool.at + 10 > idPool.bytes.length) {
    idPool.bytes = randomBytes(40_960);
    idPool.at = 0;
  }
  const id = idPool.bytes.toString('hex', idPool.at, idPool.at + 10);
  idPool.at += 10;
  return `A${id.slice(0, 19).toUpperCase()}`;
}
