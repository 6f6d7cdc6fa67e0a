/**
 * Which acknowledgement a message gets (HL7 v2.5.1 section 2.9). Pure.
 * - Original mode (MSH-15 and MSH-16 both empty): always an application
 *   ack, AA / AE / AR.
 * - Enhanced mode (either valued): a commit ack CA / CE / CR, sent or not
 *   according to MSH-15 (table 0155): AL always, NE never, ER only on
 *   error/reject, SU only on success. An empty MSH-15 in enhanced mode is
 *   treated as AL, because an MLLP sender waits for a reply to every frame
 *   and silence would stall it until its timeout.
 */
import type { Hl7Header } from './model.js';

export type OriginalAckCode = 'AA' | 'AE' | 'AR';
export type CommitAckCode = 'CA' | 'CE' | 'CR';
export type AckCode = OriginalAckCode | CommitAckCode;

/** What the receiver decided: stored (accept), understood but unusable (error), refused (reject). */
export type AckOutcome = 'accept' | 'error' | 'reject';

export type AckMode = 'original' | 'enhanced';

/** Acknowledgement types of table 0155. */
export type AckCondition = 'AL' | 'NE' | 'ER' | 'SU';

type ModeHeader = Pick<Hl7Header, 'acceptAckType' | 'applicationAckType'>;

export function ackModeOf(header: ModeHeader): AckMode {
  return header.acceptAckType !== '' || header.applicationAckType !== '' ? 'enhanced' : 'original';
}

/** MSH-15 as a table-0155 condition; empty or unknown values count as AL (see file comment). */
export function acceptAckCondition(header: ModeHeader): AckCondition {
  const value = header.acceptAckType.toUpperCase();
  return value === 'NE' || value === 'ER' || value === 'SU' ? value : 'AL';
}

const ORIGINAL: Record<AckOutcome, OriginalAckCode> = { accept: 'AA', error: 'AE', reject: 'AR' };
const COMMIT: Record<AckOutcome, CommitAckCode> = { accept: 'CA', error: 'CE', reject: 'CR' };

/**
 * The ack code to send for an outcome, or undefined when the sender asked
 * for none (enhanced mode with MSH-15 NE, ER on success, SU on failure).
 */
export function ackCodeFor(header: ModeHeader, outcome: AckOutcome): AckCode | undefined {
  if (ackModeOf(header) === 'original') return ORIGINAL[outcome];
  const condition = acceptAckCondition(header);
  if (condition === 'NE') return undefined;
  if (condition === 'ER' && outcome === 'accept') return undefined;
  if (condition === 'SU' && outcome !== 'accept') return undefined;
  return COMMIT[outcome];
}

/** True for acknowledgements (MSH-9.1 ACK, or the v2.1 MCF): they are never acknowledged themselves. */
export function isAck(header: Pick<Hl7Header, 'messageType'>): boolean {
  const type = header.messageType.toUpperCase();
  return type === 'ACK' || type === 'MCF';
}

/**
 * Sniffs raw text that may not parse: true when its MSH-9 starts with ACK.
 * For the door that must decide "never ACK an ACK" before parsing succeeds.
 */
export function looksLikeAck(text: string): boolean {
  const start = text.indexOf('MSH');
  if (start < 0 || start > 8) return false;
  const fs = text[start + 3];
  if (fs === undefined) return false;
  const lineEnd = text.slice(start).search(/[\r\n]/);
  const line = lineEnd < 0 ? text.slice(start) : text.slice(start, start + lineEnd);
  const msh9 = line.split(fs)[8] ?? '';
  return /^(ACK|MCF)(\W|$)/i.test(msh9.trim());
}
