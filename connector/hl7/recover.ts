/**
 * Repair for one real-world defect: a sender that joins segments with a space
 * instead of CR (seen in the wild, e.g. `…|N ROL|1|UP|…` in a Dutch A08). Only
 * names of standard HL7 segments are split off, and only when a space precedes
 * them and the field separator follows, so ordinary text ("JOHN DOE|") is never
 * cut. Z-segments are never guessed.
 */

/** Standard segments seen in ADT, ORM, ORU and their ACKs (HL7 v2.3–v2.8). */
const KNOWN_SEGMENTS = new Set(
  (
    'ACC AL1 ARV BLG CON CTD DB1 DG1 DRG ERR EVN FT1 GOL GT1 IAM IN1 IN2 IN3 MRG MSA NK1 NTE ' +
    'OBR OBX ORC PD1 PDA PID PR1 PRB PRT PTH PV1 PV2 RF1 RGS ROL SFT SPM TQ1 TQ2 TXA UB1 UB2 ' +
    'AIG AIL AIP AIS RXA RXC RXE RXO RXR SCH'
  ).split(' '),
);

export interface RecoveredLines {
  lines: string[];
  /** One entry per split, e.g. `SEGMENT_SEPARATOR_MISSING:ROL`. PHI-free. */
  repairs: string[];
}

export function recoverSegmentSeparators(lines: string[], fieldSeparator: string): RecoveredLines {
  const repairs: string[] = [];
  const out: string[] = [];
  for (const line of lines) {
    if (!line.includes(' ') && !line.includes('\t')) {
      out.push(line); // the common case: nothing could be glued without whitespace
      continue;
    }
    let rest = line;
    let cut = findGlued(rest, fieldSeparator);
    while (cut !== undefined) {
      out.push(rest.slice(0, cut.at).trimEnd());
      repairs.push(`SEGMENT_SEPARATOR_MISSING:${cut.name}`);
      rest = rest.slice(cut.at);
      cut = findGlued(rest, fieldSeparator);
    }
    out.push(rest);
  }
  return { lines: out, repairs };
}

function findGlued(line: string, fs: string): { at: number; name: string } | undefined {
  // Start after the segment's own name so a line is never split at position 0.
  let from = 4;
  for (;;) {
    const at = line.indexOf(fs, from);
    if (at < 0) return undefined;
    const start = at - 3;
    const before = line.charCodeAt(start - 1);
    if (start > 4 && (before === 0x20 || before === 0x09)) {
      const name = line.slice(start, at);
      if (KNOWN_SEGMENTS.has(name)) return { at: start, name };
    }
    from = at + 1;
  }
}
