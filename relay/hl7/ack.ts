/**
 * Read an HL7 acknowledgment just far enough to judge it: MSA-1 (code),
 * MSA-2 (the control id it answers) and MSA-3 / ERR text. Segment separators
 * CR, LF or CRLF; field separator from MSH-3's position.
 */
export interface AckReading {
  code: string;
  controlId: string;
  text: string;
}

export function readAck(payload: string): AckReading | undefined {
  const segments = payload.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).filter((line) => line !== '');
  const msh = segments.find((line) => line.startsWith('MSH'));
  const separator = msh?.[3] ?? '|';
  const msa = segments.find((line) => line.startsWith(`MSA${separator}`));
  if (msa === undefined) return undefined;
  const fields = msa.split(separator);
  const err = segments.find((line) => line.startsWith(`ERR${separator}`));
  const text = [fields[3], err?.split(separator).slice(1).join(separator)].filter((part) => part !== undefined && part !== '').join(' ');
  return { code: (fields[1] ?? '').trim().toUpperCase(), controlId: (fields[2] ?? '').trim(), text };
}

export type AckVerdict = { ok: true } | { ok: false; permanent: boolean; error: string };

/**
 * AA / CA answering our control id: delivered. AE / CE (application error,
 * e.g. the patient is not registered yet): a failure, retried on the schedule.
 * AR / CR (rejected: type, version or MSH not acceptable, HL7 table 0008): the
 * same message will never pass, so it goes to dead letters at once. Either
 * way the full ACK is stored with the attempt; the error text carries only the
 * code, since MSA-3 / ERR text can quote message content.
 * A mismatched control id is not our answer: retried.
 */
export function judgeAck(reading: AckReading | undefined, controlId: string): AckVerdict {
  if (reading === undefined) return { ok: false, permanent: false, error: 'reply has no MSA segment' };
  if (reading.controlId !== controlId) return { ok: false, permanent: false, error: `ACK answers control id ${reading.controlId || '(empty)'}, not ${controlId}` };
  if (reading.code === 'AA' || reading.code === 'CA') return { ok: true };
  const permanent = reading.code === 'AR' || reading.code === 'CR';
  return { ok: false, permanent, error: `HL7 ${reading.code || '(no MSA-1)'}` };
}
