/** Bytes → {@link Hl7Message} in one call: decode.ts then parse.ts. */
import { type DecodeOptions, decodeHl7 } from './decode.js';
import type { Hl7Message } from './model.js';
import { type ParseOptions, parseHl7 } from './parse.js';

export type ReadOptions = DecodeOptions & Omit<ParseOptions, 'encoding'>;

/**
 * Decodes (BOM, MSH-18, fallback) and parses one message's bytes. Throws
 * Hl7ParseError for what cannot be parsed; the decoded text is then lost, so
 * callers that need it for a reject ACK call decodeHl7 and parseHl7 themselves.
 */
export function readHl7(bytes: Buffer, options: ReadOptions = {}): Hl7Message {
  const decoded = decodeHl7(bytes, options);
  return parseHl7(decoded.text, { ...options, encoding: decoded.encoding });
}
