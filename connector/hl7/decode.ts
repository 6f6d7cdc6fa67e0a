/**
 * Bytes → HL7 text. MSH-18 (HL7 table 0211) is read from the raw bytes before
 * anything is decoded: the MSH itself is ASCII in every 8-bit and UTF-8
 * encoding, so the header can be read safely before the body is.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export interface DecodeOptions {
  /**
   * Encoding for messages with no (or an unknown) MSH-18. HL7 says ASCII, which
   * UTF-8 decodes identically; senders that emit accented text without
   * declaring it usually mean Windows-1252 — set that here for such feeds.
   * @default 'utf-8'
   */
  fallbackEncoding?: string;
  /**
   * When MSH-18 declares an 8-bit set (e.g. `8859/1`) but the bytes are valid
   * UTF-8 containing multi-byte sequences, decode as UTF-8: Latin-1 text
   * practically never forms valid UTF-8, while engines that re-encode to
   * UTF-8 and keep the old MSH-18 are common.
   * @default true
   */
  trustValidUtf8?: boolean;
}

export interface DecodedHl7 {
  /** Decoded text, BOM removed, CR segment separators. */
  text: string;
  /** The iconv encoding used (`utf-8`, `windows-1252`, `iso-8859-15`…). */
  encoding: string;
  /** MSH-18 first repetition as written in the bytes ('' if absent). */
  characterSet: string;
  /** How the encoding was chosen (PHI-free, for logs and metrics). */
  source: 'bom' | 'msh-18' | 'utf8-sniff' | 'fallback';
}

/**
 * HL7 table 0211 → iconv-lite names. `8859/1` is read as Windows-1252, its
 * superset, as browsers do (WHATWG): C1 control codes never occur in HL7 text,
 * while senders labelled Latin-1 that emit €, curly quotes or dashes do.
 */
const CHARACTER_SETS: Record<string, string> = {
  ASCII: 'utf-8',
  'ISO IR6': 'utf-8',
  '8859/1': 'windows-1252',
  '8859/2': 'iso-8859-2',
  '8859/3': 'iso-8859-3',
  '8859/4': 'iso-8859-4',
  '8859/5': 'iso-8859-5',
  '8859/6': 'iso-8859-6',
  '8859/7': 'iso-8859-7',
  '8859/8': 'iso-8859-8',
  '8859/9': 'iso-8859-9',
  '8859/15': 'iso-8859-15',
  'ISO IR100': 'windows-1252',
  'ISO IR14': 'shift_jis',
  'ISO IR87': 'shift_jis',
  'GB 18030-2000': 'gb18030',
  'KS X 1001': 'euc-kr',
  'BIG-5': 'big5',
  // The MSH was readable as single bytes, so the data is not UTF-16/32 whatever it says.
  UNICODE: 'utf-8',
  'UNICODE UTF-8': 'utf-8',
  'UNICODE UTF-16': 'utf-8',
  'UNICODE UTF-32': 'utf-8',
};

/** Maps an MSH-18 value to an iconv encoding, or undefined if unknown. Also accepts plain names (`UTF-8`, `latin1`). */
export function encodingForCharacterSet(characterSet: string): string | undefined {
  const key = characterSet.trim().toUpperCase();
  if (key === '') return undefined;
  const mapped = CHARACTER_SETS[key];
  if (mapped !== undefined) return mapped;
  return iconv.encodingExists(key) ? key.toLowerCase() : undefined;
}

/** MSH-18's first repetition read from raw bytes, or '' when there is no readable MSH. */
export function sniffCharacterSet(bytes: Buffer): string {
  const start = bytes.subarray(0, 16).indexOf('MSH');
  if (start < 0 || start > 8) return ''; // only a BOM or a little leading whitespace may come first
  const eol = firstLineEnd(bytes, start, start + MAX_MSH_BYTES);
  const line = bytes.toString('latin1', start, eol);
  const fs = line[3];
  if (fs === undefined) return '';
  const fields = line.split(fs);
  const rep = line[5] ?? '~';
  const comp = line[4] ?? '^';
  const value = fields[17] ?? '';
  return value.split(rep)[0]!.split(comp)[0]!.trim();
}

/** Enough for any real MSH segment; a longer first line is read only this far. */
const MAX_MSH_BYTES = 64 * 1024;

function firstLineEnd(bytes: Buffer, from: number, limit: number): number {
  const stop = Math.min(bytes.length, limit);
  for (let i = from; i < stop; i++) {
    if (bytes[i] === 0x0d || bytes[i] === 0x0a) return i;
  }
  return stop;
}

/** Decodes one message's bytes: BOM, then MSH-18, then the fallback. Never throws. */
export function decodeHl7(bytes: Buffer, options: DecodeOptions = {}): DecodedHl7 {
  const fallback = encodingForCharacterSet(options.fallbackEncoding ?? 'utf-8') ?? 'utf-8';
  const characterSet = sniffCharacterSet(bytes);
  let body = bytes;
  let encoding: string;
  let source: DecodedHl7['source'];
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    body = bytes.subarray(3);
    encoding = 'utf-8';
    source = 'bom';
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    body = bytes.subarray(2);
    encoding = 'utf-16le';
    source = 'bom';
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    body = bytes.subarray(2);
    encoding = 'utf-16be';
    source = 'bom';
  } else {
    const declared = encodingForCharacterSet(characterSet);
    encoding = declared ?? fallback;
    source = declared === undefined ? 'fallback' : 'msh-18';
    if (encoding !== 'utf-8' && (options.trustValidUtf8 ?? true) && hasHighBytes(body) && isUtf8(body)) {
      encoding = 'utf-8';
      source = 'utf8-sniff';
    }
  }
  if (encoding === 'utf-8' && source !== 'bom' && hasHighBytes(body) && !isUtf8(body)) {
    // Declared (or assumed) UTF-8 but it is not: Windows-1252 keeps every byte, UTF-8 would turn them into U+FFFD.
    encoding = 'windows-1252';
    source = 'fallback';
  }
  const text = encoding === 'utf-8' ? body.toString('utf8') : iconv.decode(body, encoding, { stripBOM: true });
  return { text: normaliseSegmentSeparators(text), encoding, characterSet, source };
}

/** CR, LF, CRLF (and LFCR) all become CR, the HL7 segment terminator. */
export function normaliseSegmentSeparators(text: string): string {
  return text.includes('\n') ? text.replace(/\r\n|\n\r|\n/g, '\r') : text;
}

/** Encodes text for the wire in a message's encoding (e.g. an ACK in the sender's MSH-18). */
export function encodeHl7(text: string, encoding: string): Buffer {
  return encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding);
}

function hasHighBytes(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return true;
  return false;
}
