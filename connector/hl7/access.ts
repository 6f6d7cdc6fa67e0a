/**
 * Small read helpers over {@link Hl7Message}, numbered as HL7 numbers things
 * (all 1-based). The mapping engine owns the path syntax (`PID-3[1].1`); these
 * are for code that needs one value (ingest, the send command, tests).
 */
import type { Hl7Message, Hl7Segment } from './model.js';

/** Every segment with this name, in message order. */
export function segmentsNamed(message: Hl7Message, name: string): Hl7Segment[] {
  return message.segments.filter((segment) => segment.name === name);
}

/** The `occurrence`-th (1-based) segment with this name. */
export function segment(message: Hl7Message, name: string, occurrence = 1): Hl7Segment | undefined {
  let seen = 0;
  for (const candidate of message.segments) {
    if (candidate.name === name && ++seen === occurrence) return candidate;
  }
  return undefined;
}

/**
 * One leaf value: field `field`, repetition `repetition`, component
 * `component`, sub-component `subcomponent` (all 1-based); '' when absent.
 */
export function fieldValue(
  segment: Hl7Segment | undefined,
  field: number,
  component = 1,
  repetition = 1,
  subcomponent = 1,
): string {
  return segment?.fields[field]?.[repetition - 1]?.[component - 1]?.[subcomponent - 1] ?? '';
}

/** `SEG-f.c` read from a message's first such segment, e.g. `valueAt(m, 'PV1', 36)`. */
export function valueAt(message: Hl7Message, name: string, field: number, component = 1): string {
  return fieldValue(segment(message, name), field, component);
}
