import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { parseYaml, validate } from '../../core/config/load.js';

const segmentLine = z.string().regex(/^[A-Z][A-Z0-9]{2}\|/, 'expected a segment line such as RF1|…');

const segmentRule = z.union([
  segmentLine,
  z.strictObject({
    /** Render once per element of this list (`data.matches`); `item` and `index` name the element. */
    each: z.string().min(1).optional(),
    /** Render only when this path has a value. */
    when: z.string().min(1).optional(),
    /** Most elements to render for `each`. */
    limit: z.number().int().min(1).optional(),
    /** `index` of the first element (set ids after fixed segments of the same kind). @default 1 */
    start: z.number().int().min(0).default(1),
    segment: segmentLine,
  }),
]);

/** An outbound HL7 v2 template (`mappings/relay/*.yaml`): events in, one message out. */
export const hl7TemplateSchema = z.strictObject({
  description: z.string().optional(),
  /** Event types this template renders. */
  events: z.array(z.string().min(1)).min(1),
  message: z.strictObject({
    /** MSH-9, e.g. `RRI^I12^RRI_I12`. */
    type: z.string().regex(/^[A-Z0-9]{3}\^[A-Z0-9]{3}(\^[A-Z0-9_]+)?$/),
    /** MSH-12. @default '2.5.1' */
    version: z.string().default('2.5.1'),
    /** MSH-11: P production, T training, D debugging. @default 'P' */
    processingId: z.enum(['P', 'T', 'D']).default('P'),
    /** MSH-3 … MSH-6. */
    sendingApplication: z.string().default('CARALOOM'),
    sendingFacility: z.string().default('CARALOOM'),
    receivingApplication: z.string().default(''),
    receivingFacility: z.string().default(''),
    /** MSH-15 / MSH-16 (`AL`, `NE`, `ER`, `SU`); empty for original-mode acknowledgment. @default '' */
    acceptAck: z.string().default(''),
    applicationAck: z.string().default(''),
  }),
  /** Named code tables for the `lookup:` filter; `_default` answers a miss. @default {} */
  lookups: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  /** Segments after MSH, in order. */
  segments: z.array(segmentRule).min(1),
});

export type Hl7Template = z.infer<typeof hl7TemplateSchema>;
export type SegmentRule = Hl7Template['segments'][number];

/** Load and validate a template file; errors name the file and every bad path. */
export function loadHl7Template(file: string): Hl7Template {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read HL7 template ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, undefined, error);
  }
  const template = validate(hl7TemplateSchema, parseYaml(text, file), file);
  for (const rule of template.segments) {
    const line = typeof rule === 'string' ? rule : rule.segment;
    for (const match of line.matchAll(/\{\{([^}]*)\}\}/g)) {
      for (const filter of match[1]!.split('|').slice(1)) {
        const [name, arg] = filter.trim().split(':');
        if (!(name! in filters)) throw new ConfigError(`${file}: unknown filter "${name}" in ${line.slice(0, 3)}`);
        if (name === 'lookup' && !(arg! in template.lookups)) throw new ConfigError(`${file}: lookup table "${arg}" is not defined`);
      }
    }
  }
  return template;
}

/** Text → HL7 escaped text (`|` → `\F\` …, line breaks → `\.br\`), for the default `^~\&` delimiters. */
export function escapeHl7(value: string): string {
  return value
    .replace(/\\/g, '\\E\\')
    .replace(/\|/g, '\\F\\')
    .replace(/\^/g, '\\S\\')
    .replace(/~/g, '\\R\\')
    .replace(/&/g, '\\T\\')
    .replace(/\r\n|\r|\n/g, '\\.br\\');
}

/** ISO 8601 → HL7 DTM `YYYYMMDDHHMMSS+ZZZZ` in UTC; a date alone → `YYYYMMDD`. */
export function hl7Timestamp(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value.replace(/-/g, '');
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return '';
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}+0000`;
}

type Filter = (value: string, arg: string | undefined, template: Hl7Template) => string;

const filters: Record<string, Filter> = {
  ts: (value) => hl7Timestamp(value),
  date: (value) => hl7Timestamp(value).slice(0, 8),
  upper: (value) => value.toUpperCase(),
  lower: (value) => value.toLowerCase(),
  trunc: (value, arg) => value.slice(0, Number(arg ?? value.length)),
  default: (value, arg) => (value === '' ? (arg ?? '') : value),
  lookup: (value, arg, template) => {
    const table = template.lookups[arg ?? ''] ?? {};
    return table[value] ?? table[value.toLowerCase()] ?? table._default ?? '';
  },
};

export { filters as hl7TemplateFilters };
