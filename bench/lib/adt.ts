/**
 * Realistic, entirely synthetic ADT^A03 (discharge) messages for benchmarks,
 * fault runs and fuzzing. A seeded PRNG makes every run send the same bytes;
 * names come from short invented lists and MRNs are sequence numbers, so no
 * message can hold real patient data. Patients are reused across messages
 * (several discharges per patient) so per-patient ordering is exercised.
 */

/** mulberry32: tiny, fast, good enough to vary test content; deterministic per seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const given = ['Avery', 'Jordan', 'Riley', 'Morgan', 'Casey', 'Quinn', 'Rowan', 'Emery', 'Sage', 'Harper', 'Elena', 'Tomas', 'Ines', 'Kofi', 'Mei', 'Anika', 'Lars', 'Noor'];
const family = ['Testwell', 'Samplon', 'Fakeford', 'Mockridge', 'Demoret', 'Synthby', 'Placehold', 'Exampleton', 'Nullberg', 'Stubbins'];
/** Real ZIP codes (public geography, not patient data) spread over several states; the sandbox geocodes them. */
const zips = ['78756', '10001', '60614', '94110', '02139', '30309', '98101', '33101', '80202', '85004', '19104', '48201', '55401', '63101', '97201', '37203', '28202', '73102'];
const streets = ['Shoal Creek Blvd', 'Main St', 'Oak Ave', 'Lakeview Dr', 'Cedar Ln', 'Hillcrest Rd'];
/** ICD-10-CM codes typical of discharges to post-acute care. */
const diagnoses: readonly (readonly [string, string])[] = [
  ['I50.9', 'Heart failure, unspecified'],
  ['J44.1', 'Chronic obstructive pulmonary disease with (acute) exacerbation'],
  ['I63.9', 'Cerebral infarction, unspecified'],
  ['S72.001A', 'Fracture of unspecified part of neck of right femur, initial encounter'],
  ['N18.30', 'Chronic kidney disease, stage 3 unspecified'],
  ['E11.9', 'Type 2 diabetes mellitus without complications'],
  ['A41.9', 'Sepsis, unspecified organism'],
  ['J18.9', 'Pneumonia, unspecified organism'],
  ['C34.90', 'Malignant neoplasm of unspecified part of unspecified bronchus or lung'],
  ['M17.11', 'Unilateral primary osteoarthritis, right knee'],
];
/** PV1-36 (table 0112 / NUBC): mostly post-acute, some routine home discharges the mapping filters out. */
const dispositions = ['06', '06', '06', '03', '03', '62', '50', '51', '61', '01'];
const services = ['MED', 'SUR', 'CAR', 'NEU', 'ORT', 'PUL'];

export interface AdtOptions {
  /** @default 20260101 */
  seed?: number;
  /** Distinct patients messages are spread over. @default 2000 */
  patients?: number;
  /** Prefix of MSH-10, so separate runs never collide on duplicate detection. @default 'B' */
  controlPrefix?: string;
  /** MSH-4 sending facility. @default 'BENCHGEN' */
  facility?: string;
}

export interface AdtMessage {
  /** MSH-10. */
  controlId: string;
  /** MSH-4.1 (with MSH-10 it makes the connector's idempotency identity). */
  facility: string;
  /** PID-3 MRN (the mapping's order key): synthetic. */
  mrn: string;
  /** Sequence number of this message in the generated stream. */
  seq: number;
  /** PV1-36. */
  disposition: string;
  /** True when the shipped mapping turns it into a referral (not filtered). */
  referable: boolean;
  /** The message, segments separated by CR. */
  text: string;
}

const ts = (ms: number): string => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);

/** An endless deterministic stream of ADT^A03 messages; `next()` returns one. */
export function adtGenerator(options: AdtOptions = {}): { next(): AdtMessage } {
  const random = prng(options.seed ?? 20260101);
  const patientCount = options.patients ?? 2000;
  const prefix = options.controlPrefix ?? 'B';
  const facility = options.facility ?? 'BENCHGEN';
  const base = Date.UTC(2026, 10, 20, 8, 0, 0);
  let seq = 0;
  return {
    next() {
      const n = seq++;
      const p = Math.floor(random() * patientCount);
      // Per-patient attributes derive from the patient number so a patient stays the same person.
      const pr = prng(1000 + p);
      const mrn = `MRN${String(100000 + p)}`;
      const name = `${pick(pr, family)}^${pick(pr, given)}`;
      const birth = `19${30 + Math.floor(pr() * 60)}${String(1 + Math.floor(pr() * 12)).padStart(2, '0')}${String(1 + Math.floor(pr() * 28)).padStart(2, '0')}`;
      const sex = pr() < 0.5 ? 'F' : 'M';
      const zip = pick(pr, zips);
      const street = `${100 + Math.floor(pr() * 9000)} ${pick(pr, streets)}`;
      const admitted = base + n * 60_000 - Math.floor(random() * 10) * 86_400_000;
      const discharged = base + n * 60_000;
      const disposition = pick(random, dispositions);
      const dx = [...diagnoses].sort(() => random() - 0.5).slice(0, 1 + Math.floor(random() * 3));
      const controlId = `${prefix}${n}`;
      const segments = [
        `MSH|^~\\&|BENCHADT|${facility}|CARALOOM|CARALOOM_CONNECT|${ts(discharged)}||ADT^A03^ADT_A03|${controlId}|P|2.5.1`,
        `EVN|A03|${ts(discharged)}`,
        `PID|1||${mrn}^^^${facility}^MR||${name}||${birth}|${sex}|||${street}^^Testville^TX^${zip}^USA^H||^PRN^PH^^1^512^5550100`,
        `PV1|1|I|4W^${400 + (n % 50)}^A^${facility}|E|||1447261189^Okafor^Chidi^^^^MD^^NPI|||${pick(random, services)}||||7|||1447261189^Okafor^Chidi^^^^MD^^NPI|IN|V${n}^^^${facility}^VN|MCR||||||||||||||||${disposition}|||${facility}|||||${ts(admitted)}|${ts(discharged)}`,
        ...dx.map(([code, text], i) => `DG1|${i + 1}||${code}^${text}^I10|||${i === 0 ? 'A' : 'F'}|||||||||${i + 1}`),
      ];
      return { controlId, facility, mrn, seq: n, disposition, referable: disposition !== '01', text: segments.join('\r') };
    },
  };
}

/** `count` messages as ready-to-send MLLP frames plus their descriptions. */
export function adtBatch(count: number, options: AdtOptions = {}): AdtMessage[] {
  const generator = adtGenerator(options);
  return Array.from({ length: count }, () => generator.next());
}
