/**
 * The one way a value a sender controls (MSH-9, MSH-10, a webhook's event id
 * or type, a request path) reaches a log line. Such a value can hold a
 * newline that forges a second log record in a text log, terminal escape
 * sequences, quotes that break a log shipper's parsing, or a megabyte that
 * floods the disk. Everything else from a message is never logged at all.
 *
 * The result is printable ASCII only: `"`, `'` and `\` are backslash-escaped,
 * control characters become `\n`, `\r`, `\t` or `\xNN`, anything outside
 * ASCII becomes `\u{…}`, and the escaped text is cut at `max` characters
 * (never inside an escape) with `...` marking the cut.
 */

/** Characters kept from one sender-controlled value (after escaping). @default 64 */
export const LOG_SAFE_MAX = 64;

const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '"': '\\"', "'": "\\'", '\\': '\\\\' };

function escapeChar(char: string): string {
  const known = named[char];
  if (known !== undefined) return known;
  const code = char.codePointAt(0)!;
  if (code >= 0x20 && code <= 0x7e) return char;
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/**
 * A sender-controlled value made safe for one log field. Non-strings are
 * shown as `String(value)`; undefined and null stay undefined so the field is
 * left out of the record.
 */
export function logSafe(value: unknown, max: number = LOG_SAFE_MAX): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : String(value);
  let out = '';
  // Iterating a string walks code points, so a surrogate pair is one `\u{…}`.
  for (const char of text) {
    const piece = escapeChar(char);
    if (out.length + piece.length > max) return `${out}...`;
    out += piece;
  }
  return out;
}
