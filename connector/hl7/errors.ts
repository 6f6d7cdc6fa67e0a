import { CaraloomError } from '../../core/errors.js';

/** Why a text is not a usable HL7 v2 message. Stable: the ingest pipeline answers AR on each. */
export type Hl7ParseErrorCode =
  /** Nothing but whitespace. */
  | 'HL7_EMPTY'
  /** The first segment is not MSH (HL7 requires the header first). */
  | 'MSH_MISSING'
  /** MSH is there but a field the message cannot be read without is broken; `field` says which. */
  | 'MSH_MALFORMED'
  /** A segment whose name is not three letters/digits (e.g. a stray line). */
  | 'SEGMENT_MALFORMED';

export interface Hl7ParseErrorDetails {
  /** HL7 table 0357 error code for ERR-3 (100 segment sequence, 101 required missing, 102 data type). */
  hl7Code: number;
  /** MSH field number for MSH_MALFORMED (1, 2 or 9). */
  field?: number;
  /** 1-based segment position for SEGMENT_MALFORMED. */
  segment?: number;
  /** ERR-2 location, e.g. `MSH^1^2`. */
  location?: string;
}

/** A message that cannot be parsed. The message is short, fixed and PHI-free. */
export class Hl7ParseError extends CaraloomError {
  declare readonly code: Hl7ParseErrorCode;
  declare readonly details: Hl7ParseErrorDetails;

  constructor(code: Hl7ParseErrorCode, message: string, details: Hl7ParseErrorDetails) {
    super(code, message, { status: 400, expose: true, details });
    this.name = 'Hl7ParseError';
  }

  /** MSH field number when the MSH is malformed. */
  get field(): number | undefined {
    return this.details.field;
  }
}

export function isHl7ParseError(value: unknown): value is Hl7ParseError {
  return value instanceof Hl7ParseError;
}
