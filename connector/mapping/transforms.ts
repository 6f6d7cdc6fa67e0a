/**
 * Value transforms a mapping file may name, applied left to right. Pure.
 * A transform that cannot read its input returns undefined: the field then
 * answers AE 102 (data type error) naming where the value came from.
 */

export const transformNames = ['trim', 'upper', 'lower', 'zip5', 'datetime', 'date', 'digits'] as const;
export type TransformName = (typeof transformNames)[number];

/** HL7 TS/DTM: YYYY[MM[DD[HH[MM[SS[.S{1,4}]]]]]][+/-ZZZZ]. */
const TS = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/;

function validDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** HL7 TS → ISO 8601 (`2026-11-20T14:00:00-06:00`); precision kept down to what was sent. */
export function hl7TimestampToIso(value: string): string | undefined {
  const m = TS.exec(value.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (mo === undefined) return y;
  if (d === undefined) return `${y}-${mo}`;
  if (!validDate(Number(y), Number(mo), Number(d))) return undefined;
  const date = `${y}-${mo}-${d}`;
  if (h === undefined) return date;
  if (Number(h) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) return undefined;
  const time = `${h}:${mi ?? '00'}:${s ?? '00'}${frac === undefined ? '' : `.${frac}`}`;
  const offset = zone === undefined ? '' : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return `${date}T${time}${offset}`;
}

/** HL7 TS → `YYYY-MM-DD` (the date as the sender wrote it, no time-zone shift). */
export function hl7TimestampToDate(value: string): string | undefined {
  const iso = hl7TimestampToIso(value);
  return iso !== undefined && iso.length >= 10 ? iso.slice(0, 10) : undefined;
}

/** `78756-1234`, `787561234`, ` 78756 ` → `78756`; anything else undefined. */
export function zip5(value: string): string | undefined {
  const m = /^(\d{5})(?:-?\d{4})?$/.exec(value.trim());
  return m?.[1];
}

export function applyTransform(name: TransformName, value: string): string | undefined {
  switch (name) {
    case 'trim':
      return value.trim();
    case 'upper':
      return value.toUpperCase();
    case 'lower':
      return value.toLowerCase();
    case 'zip5':
      return zip5(value);
    case 'datetime':
      return hl7TimestampToIso(value);
    case 'date':
      return hl7TimestampToDate(value);
    case 'digits':
      return value.replace(/\D+/g, '');
  }
}
