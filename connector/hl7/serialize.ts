/** {@link Hl7Message} parts → ER7 text, escaping values. Pure; the inverse of parse.ts for one segment. */
import { type Hl7Delimiters, encodingCharacters, escapeValue } from './escape.js';
import type { Hl7Field, Hl7Segment } from './model.js';

/** One field as written on the wire, trailing empty parts trimmed. */
export function serializeField(field: Hl7Field | undefined, d: Hl7Delimiters): string {
  if (field === undefined) return '';
  const reps = field.map((rep) =>
    trimEnd(rep.map((comp) => trimEnd(comp.map((sub) => escapeValue(sub, d))).join(d.subcomponent))).join(d.component),
  );
  return trimEnd(reps).join(d.repetition);
}

/** One segment as a line (no terminator). MSH-1/MSH-2 are written from `d`, not escaped. */
export function serializeSegment(segment: Hl7Segment, d: Hl7Delimiters): string {
  const parts = [segment.name];
  const isMsh = segment.name === 'MSH';
  if (isMsh) parts.push(encodingCharacters(d));
  for (let n = isMsh ? 3 : 1; n < segment.fields.length; n++) parts.push(serializeField(segment.fields[n], d));
  return trimEnd(parts).join(d.field);
}

function trimEnd(parts: string[]): string[] {
  let end = parts.length;
  while (end > 1 && parts[end - 1] === '') end--;
  return end === parts.length ? parts : parts.slice(0, end);
}
