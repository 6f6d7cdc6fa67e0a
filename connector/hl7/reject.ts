/**
 * Ready-made rejections for what never becomes an {@link Hl7Message}: text
 * that does not parse, and frames over the size limit. Both answer in the
 * sender's terms when its MSH can be read (swapped apps, echoed MSH-10,
 * enhanced mode honoured) and with a minimal header when it cannot.
 */
import { buildAck, buildRejectAck, type AckOptions } from './ack.js';
import { ackCodeFor } from './ack-mode.js';
import { decodeHl7, encodeHl7 } from './decode.js';
import type { Hl7ParseError } from './errors.js';
import { parseHl7 } from './parse.js';

type Extra = Pick<AckOptions, 'now' | 'controlId'>;

/** AR for a parse failure, with ERR-2 at the failing place and ERR-3 its table-0357 code. */
export function ackForParseError(text: string, error: Hl7ParseError, extra: Extra = {}): string {
  const location = error.details.location;
  return buildRejectAck(text, {
    ...extra,
    code: 'AR',
    text: error.message,
    errors: [{ code: error.details.hl7Code, userMessage: error.message, ...(location === undefined ? {} : { location }) }],
  });
}

/**
 * AR (or CR in enhanced mode) for a frame over `maxFrameBytes`, built from its
 * first bytes. Undefined when the sender's MSH-15 asked for no reject ack.
 * ERR-3 is 207 (application error): table 0357 has no code for a message
 * too large as a whole, and 104 "value too long" is about one field.
 */
export function ackForOversize(head: Buffer, maxFrameBytes: number, extra: Extra = {}): Buffer | undefined {
  const decoded = decodeHl7(head);
  const mshLine = decoded.text.split('\r')[0] ?? '';
  const reason = `message larger than ${maxFrameBytes} bytes`;
  const errors = [{ code: 207, userMessage: reason }];
  try {
    const message = parseHl7(mshLine, { encoding: decoded.encoding });
    const code = ackCodeFor(message.header, 'reject');
    if (code === undefined) return undefined;
    return encodeHl7(buildAck(message, { ...extra, code, text: reason, errors }), decoded.encoding);
  } catch {
    return Buffer.from(buildRejectAck(mshLine, { ...extra, code: 'AR', text: reason, errors }));
  }
}
