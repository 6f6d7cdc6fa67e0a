/**
 * HL7 v2 delimiters and escape sequences (HL7 v2.5.1 section 2.7). Pure.
 * Escape sequences are decoded after splitting, so an escaped delimiter
 * (`\F\`, `\S\`…) never splits a value.
 */

export interface Hl7Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  /** v2.7+ truncation character (the optional fifth MSH-2 character), or ''. */
  truncation: string;
}

export const DEFAULT_DELIMITERS: Readonly<Hl7Delimiters> = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
  truncation: '',
});

/** MSH-2 as written for these delimiters (4 characters, 5 with a truncation character). */
export function encodingCharacters(d: Hl7Delimiters): string {
  return d.component + d.repetition + d.escape + d.subcomponent + d.truncation;
}

/**
 * Decodes the escape sequences of one leaf value. `\F\ \S\ \T\ \R\ \E\`
 * (and `\P\`, the v2.7 truncation escape) become their delimiter;
 * `\Xhh…\` becomes the bytes it spells, read as UTF-8 when they are valid
 * UTF-8 and as Latin-1 otherwise. Formatting commands (`\.br\`, `\H\`,
 * `\N\`…) and anything unrecognised or unterminated are kept as written:
 * they only mean something to a formatted-text renderer, and keeping them
 * loses nothing.
 */
export function unescapeValue(value: string, d: Hl7Delimiters): string {
  const esc = d.escape;
  if (esc === '' || !value.includes(esc)) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf(esc, i);
    if (start < 0) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, start);
    const end = value.indexOf(esc, start + 1);
    if (end < 0) {
      out += value.slice(start);
      break;
    }
    const body = value.slice(start + 1, end);
    const decoded = decodeEscape(body, d);
    if (decoded === undefined) {
      // Not an escape we decode: keep the opening character and rescan from the
      // next one, so `\` followed by a real escape is still found.
      out += esc;
      i = start + 1;
    } else {
      out += decoded;
      i = end + 1;
    }
  }
  return out;
}

function decodeEscape(body: string, d: Hl7Delimiters): string | undefined {
  switch (body) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subcomponent;
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape;
    case 'P':
      return d.truncation === '' ? undefined : d.truncation;
    default:
      break;
  }
  if (body.length >= 3 && body[0] === 'X' && body.length % 2 === 1 && /^X[0-9A-Fa-f]+$/.test(body)) {
    const bytes = Buffer.from(body.slice(1), 'hex');
    const utf8 = bytes.toString('utf8');
    return utf8.includes('\uFFFD') ? bytes.toString('latin1') : utf8;
  }
  return undefined;
}

/**
 * Escapes text so it can sit inside one leaf value (used for ACK text and
 * ERR-8). CR and LF become `\X0D\` / `\X0A\`: a raw CR would end the segment.
 */
export function escapeValue(text: string, d: Hl7Delimiters): string {
  let out = '';
  for (const ch of text) {
    if (ch === d.escape) out += `${d.escape}E${d.escape}`;
    else if (ch === d.field) out += `${d.escape}F${d.escape}`;
    else if (ch === d.component) out += `${d.escape}S${d.escape}`;
    else if (ch === d.subcomponent) out += `${d.escape}T${d.escape}`;
    else if (ch === d.repetition) out += `${d.escape}R${d.escape}`;
    else if (d.truncation !== '' && ch === d.truncation) out += `${d.escape}P${d.escape}`;
    else if (ch === '\r') out += `${d.escape}X0D${d.escape}`;
    else if (ch === '\n') out += `${d.escape}X0A${d.escape}`;
    else out += ch;
  }
  return out;
}

/** The delimiters a parsed message declared (MSH-1 and MSH-2). */
export function delimitersOf(header: { fieldSeparator: string; encodingCharacters: string }): Hl7Delimiters {
  const chars = header.encodingCharacters;
  if (header.fieldSeparator.length !== 1 || chars.length < 4) return { ...DEFAULT_DELIMITERS };
  return {
    field: header.fieldSeparator,
    component: chars[0]!,
    repetition: chars[1]!,
    escape: chars[2]!,
    subcomponent: chars[3]!,
    truncation: chars[4] ?? '',
  };
}
