/**
 * The parsed HL7 v2 message every connector part works on. Values are
 * unescaped (\F\ \S\ \T\ \R\ \E\ decoded) strings; an absent value is ''.
 * Indices follow HL7 numbering where HL7 numbers things:
 * - `segment.fields[n]` is field n (1-based; `fields[0]` is unused ''). For MSH,
 *   `fields[1]` is the field separator and `fields[2]` the encoding characters,
 *   so MSH-9 is `fields[9]` as everywhere else.
 * - a field is a list of repetitions (`~`), a repetition a list of components
 *   (`^`), a component a list of sub-components (`&`); these lists are 0-based
 *   arrays (component 1 is `[0]`).
 */
export type Hl7Component = string[];
export type Hl7Repetition = Hl7Component[];
export type Hl7Field = Hl7Repetition[];

export interface Hl7Segment {
  name: string;
  fields: Hl7Field[];
}

/** The MSH facts the pipeline decides on (first component of each, unless said). */
export interface Hl7Header {
  fieldSeparator: string;
  encodingCharacters: string;
  sendingApplication: string; // MSH-3 (whole field, components joined with ^)
  sendingFacility: string; // MSH-4 (whole field)
  receivingApplication: string; // MSH-5 (whole field)
  receivingFacility: string; // MSH-6 (whole field)
  dateTime: string; // MSH-7
  messageType: string; // MSH-9.1 (ADT, ACK, ORM…)
  triggerEvent: string; // MSH-9.2 (A03…)
  messageStructure: string; // MSH-9.3
  controlId: string; // MSH-10
  processingId: string; // MSH-11.1 (P, T, D)
  version: string; // MSH-12.1 (2.3, 2.5.1…)
  acceptAckType: string; // MSH-15 (AL, NE, ER, SU or '')
  applicationAckType: string; // MSH-16
  characterSet: string; // MSH-18 first repetition ('' = ASCII / the configured fallback)
}

export interface Hl7Message {
  header: Hl7Header;
  segments: Hl7Segment[];
  /** The message as decoded text with CR segment separators. Patient data: never log it. */
  text: string;
  /** The character encoding the bytes were decoded with (utf-8, latin1…). */
  encoding: string;
  /**
   * Repairs the parser made to read a defective message (e.g.
   * `SEGMENT_SEPARATOR_MISSING:ROL`); absent when none. PHI-free codes.
   */
  repairs?: string[];
}
