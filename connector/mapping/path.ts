/**
 * HL7 field paths as an analyst writes them in a mapping file, parsed once at
 * start-up and read many times. Pure.
 *
 *   PID-5.1            first PID, field 5, first repetition, component 1
 *   PID-3[2].1         second repetition of PID-3
 *   PID-3[5=MR].1      the PID-3 repetition whose component 5 is MR
 *   PID-11.5           component 5 (ZIP) of the first address
 *   DG1[2]-3.1         the second DG1 segment
 *   DG1[6=A]-3.1       the DG1 whose DG1-6 is A (admitting diagnosis)
 *   DG1[15=1|01]-3.1   the DG1 whose DG1-15 is 1 or 01 (priority 1)
 *   EVN-2              whole field 2 = first repetition, component 1, sub-component 1
 *   PID-3.4.2          sub-component 2 of component 4
 *
 * Occurrences, repetitions, components and sub-components count from 1 as
 * HL7 does; a selector `N=V` picks the first one whose field / component N
 * (first repetition, first component) equals one of the `|`-separated values.
 */
import type { Hl7Message, Hl7Segment } from '../hl7/model.js';

export type Selector = { kind: 'index'; index: number } | { kind: 'match'; position: number; values: string[] };

export interface FieldPath {
  /** The path as written, for error messages. */
  source: string;
  segment: string;
  segmentSelector: Selector;
  field: number;
  repetition: Selector;
  /** 1-based; undefined = component 1 (HL7: a field read whole is its first component). */
  component: number | undefined;
  subcomponent: number | undefined;
}

const PATH = /^([A-Z][A-Z0-9]{2})(?:\[([^\]]+)\])?-(\d{1,3})(?:\[([^\]]+)\])?(?:\.(\d{1,3})(?:\.(\d{1,3}))?)?$/;

export class PathSyntaxError extends Error {}

function selector(text: string | undefined, what: string): Selector {
  if (text === undefined) return { kind: 'index', index: 1 };
  const index = /^\d+$/.exec(text);
  if (index !== null) {
    const n = Number(text);
    if (n < 1) throw new PathSyntaxError(`${what} index counts from 1`);
    return { kind: 'index', index: n };
  }
  const match = /^(\d{1,3})=(.+)$/.exec(text);
  if (match === null) throw new PathSyntaxError(`${what} selector must be a number or N=VALUE, got [${text}]`);
  return { kind: 'match', position: Number(match[1]), values: match[2]!.split('|').map((value) => value.trim()) };
}

/** Parses `PID-3[1].1` and friends; throws PathSyntaxError with a short reason. */
export function parsePath(source: string): FieldPath {
  const text = source.trim();
  const m = PATH.exec(text);
  if (m === null) throw new PathSyntaxError(`not a field path (expected e.g. PID-3[1].1, DG1[6=A]-3.1): ${JSON.stringify(source)}`);
  const field = Number(m[3]);
  if (field < 1) throw new PathSyntaxError('field numbers count from 1');
  const component = m[5] === undefined ? undefined : Number(m[5]);
  const subcomponent = m[6] === undefined ? undefined : Number(m[6]);
  if (component === 0 || subcomponent === 0) throw new PathSyntaxError('components count from 1');
  return {
    source: text,
    segment: m[1]!,
    segmentSelector: selector(m[2], 'segment'),
    field,
    repetition: selector(m[4], 'repetition'),
    component,
    subcomponent,
  };
}

function first(segment: Hl7Segment, field: number, component = 1): string {
  return (segment.fields[field]?.[0]?.[component - 1]?.[0] ?? '').trim();
}

/** The segment a path points at, and its 1-based occurrence among segments of that name. */
export function findSegment(message: Hl7Message, path: FieldPath): { segment: Hl7Segment; occurrence: number } | undefined {
  const named = message.segments.filter((segment) => segment.name === path.segment);
  const sel = path.segmentSelector;
  if (sel.kind === 'index') {
    const segment = named[sel.index - 1];
    return segment === undefined ? undefined : { segment, occurrence: sel.index };
  }
  const index = named.findIndex((segment) => sel.values.includes(first(segment, sel.position)));
  return index < 0 ? undefined : { segment: named[index]!, occurrence: index + 1 };
}

/** The value at a path ('' when absent), trimmed of surrounding spaces. */
export function readPath(message: Hl7Message, path: FieldPath): string {
  const found = findSegment(message, path);
  if (found === undefined) return '';
  const field = found.segment.fields[path.field];
  if (field === undefined) return '';
  const sel = path.repetition;
  const repetition =
    sel.kind === 'index' ? field[sel.index - 1] : field.find((rep) => sel.values.includes((rep[sel.position - 1]?.[0] ?? '').trim()));
  if (repetition === undefined) return '';
  return (repetition[(path.component ?? 1) - 1]?.[(path.subcomponent ?? 1) - 1] ?? '').trim();
}

/**
 * ERR-2 location (ERL: segment ^ occurrence ^ field ^ repetition ^ component ^
 * sub-component) for a path, e.g. `DG1^1^3^1^1`. A selector that matched
 * nothing reports occurrence / repetition 1.
 */
export function locationOf(message: Hl7Message | undefined, path: FieldPath): string {
  const occurrence = message === undefined ? 1 : (findSegment(message, path)?.occurrence ?? 1);
  const parts = [path.segment, String(occurrence), String(path.field)];
  if (path.component !== undefined) {
    parts.push(path.repetition.kind === 'index' ? String(path.repetition.index) : '1', String(path.component));
    if (path.subcomponent !== undefined) parts.push(String(path.subcomponent));
  }
  return parts.join('^');
}
