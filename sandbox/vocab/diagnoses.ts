/**
 * Diagnoses the sandbox understands, as shorthand or ICD-10-CM codes, each
 * tied to the clinician specialty that fits it. Pure data and lookups.
 */
import { normaliseIcd10Cm } from '../../core/fhir/icd10.js';

export type Specialty =
  | 'cardiac'
  | 'pulmonary'
  | 'neuro'
  | 'wound'
  | 'diabetes'
  | 'orthopedic'
  | 'oncology'
  | 'renal'
  | 'dementia'
  | 'infection'
  | 'palliative'
  | 'general';

export const specialties: readonly Specialty[] = [
  'cardiac', 'pulmonary', 'neuro', 'wound', 'diabetes', 'orthopedic', 'oncology', 'renal', 'dementia', 'infection', 'palliative', 'general',
];

export interface Diagnosis {
  /** What the client sent, trimmed. */
  input: string;
  /** ICD-10-CM code (a representative one for shorthand). */
  code?: string | undefined;
  display: string;
  /** The specialty that fits (`undefined` for a well-formed code we cannot place). */
  category?: Specialty | undefined;
}

interface Known {
  code: string;
  display: string;
  category: Specialty;
  /** Lower-case shorthand and phrases that mean this diagnosis. */
  names: string[];
}

const known: readonly Known[] = [
  { code: 'I50.9', display: 'Heart failure, unspecified', category: 'cardiac', names: ['chf', 'hf', 'heart failure', 'congestive heart failure'] },
  { code: 'I21.9', display: 'Acute myocardial infarction, unspecified', category: 'cardiac', names: ['mi', 'ami', 'heart attack', 'myocardial infarction'] },
  { code: 'I48.91', display: 'Atrial fibrillation, unspecified', category: 'cardiac', names: ['afib', 'a-fib', 'atrial fibrillation'] },
  { code: 'J44.9', display: 'Chronic obstructive pulmonary disease, unspecified', category: 'pulmonary', names: ['copd', 'chronic obstructive pulmonary disease'] },
  { code: 'J18.9', display: 'Pneumonia, unspecified organism', category: 'pulmonary', names: ['pneumonia', 'pna'] },
  { code: 'J45.909', display: 'Asthma, uncomplicated', category: 'pulmonary', names: ['asthma'] },
  { code: 'I63.9', display: 'Cerebral infarction, unspecified', category: 'neuro', names: ['stroke', 'cva', 'cerebral infarction'] },
  { code: 'G20', display: "Parkinson's disease", category: 'neuro', names: ['parkinsons', "parkinson's", 'parkinson'] },
  { code: 'L89.90', display: 'Pressure ulcer, unspecified', category: 'wound', names: ['wound', 'wound care', 'pressure ulcer', 'pressure injury', 'bedsore'] },
  { code: 'E11.9', display: 'Type 2 diabetes mellitus without complications', category: 'diabetes', names: ['diabetes', 'dm', 'dm2', 't2dm', 'type 2 diabetes'] },
  { code: 'E10.9', display: 'Type 1 diabetes mellitus without complications', category: 'diabetes', names: ['dm1', 't1dm', 'type 1 diabetes'] },
  { code: 'S72.009A', display: 'Fracture of neck of femur, initial encounter', category: 'orthopedic', names: ['hip fracture', 'fractured hip'] },
  { code: 'Z96.651', display: 'Presence of right artificial knee joint', category: 'orthopedic', names: ['knee replacement', 'tkr', 'tka', 'joint replacement'] },
  { code: 'Z96.641', display: 'Presence of right artificial hip joint', category: 'orthopedic', names: ['hip replacement', 'thr', 'tha'] },
  { code: 'C80.1', display: 'Malignant neoplasm, unspecified', category: 'oncology', names: ['cancer', 'oncology', 'malignancy'] },
  { code: 'N18.9', display: 'Chronic kidney disease, unspecified', category: 'renal', names: ['ckd', 'chronic kidney disease', 'renal failure', 'esrd'] },
  { code: 'F03.90', display: 'Unspecified dementia', category: 'dementia', names: ['dementia', 'alzheimers', "alzheimer's"] },
  { code: 'A41.9', display: 'Sepsis, unspecified organism', category: 'infection', names: ['sepsis'] },
  { code: 'Z51.5', display: 'Encounter for palliative care', category: 'palliative', names: ['palliative', 'end of life', 'hospice'] },
];

/** ICD-10-CM code ranges (by letter + two digits) → specialty, for codes not listed above. */
const ranges: readonly { from: string; to: string; category: Specialty; display: string }[] = [
  { from: 'I00', to: 'I59', category: 'cardiac', display: 'Diseases of the circulatory system' },
  { from: 'I60', to: 'I69', category: 'neuro', display: 'Cerebrovascular disease' },
  { from: 'G00', to: 'G99', category: 'neuro', display: 'Diseases of the nervous system' },
  { from: 'J00', to: 'J99', category: 'pulmonary', display: 'Diseases of the respiratory system' },
  { from: 'L89', to: 'L89', category: 'wound', display: 'Pressure ulcer' },
  { from: 'L97', to: 'L98', category: 'wound', display: 'Chronic ulcer of skin' },
  { from: 'E08', to: 'E13', category: 'diabetes', display: 'Diabetes mellitus' },
  { from: 'M00', to: 'M99', category: 'orthopedic', display: 'Diseases of the musculoskeletal system' },
  { from: 'S00', to: 'T14', category: 'orthopedic', display: 'Injury' },
  { from: 'C00', to: 'D49', category: 'oncology', display: 'Neoplasm' },
  { from: 'N17', to: 'N19', category: 'renal', display: 'Kidney failure' },
  { from: 'F01', to: 'F03', category: 'dementia', display: 'Dementia' },
  { from: 'A00', to: 'B99', category: 'infection', display: 'Infectious disease' },
];


const byName = new Map<string, Known>(known.flatMap((entry) => entry.names.map((name) => [name, entry] as const)));
const byCode = new Map<string, Known>(known.map((entry) => [entry.code.replace('.', ''), entry] as const));

/** Normalise an ICD-10-CM code (`i509` → `I50.9`), or undefined when it is not shaped like one. */
export const normaliseIcd10 = normaliseIcd10Cm;

/**
 * Resolve shorthand, a phrase or an ICD-10-CM code. Returns undefined for
 * text we do not know (the caller answers 400/422 naming the field).
 */
export function resolveDiagnosis(value: string): Diagnosis | undefined {
  const input = value.trim();
  const named = byName.get(input.toLowerCase().replace(/\s+/g, ' '));
  if (named !== undefined) return { input, code: named.code, display: named.display, category: named.category };
  const code = normaliseIcd10(input);
  if (code === undefined) return undefined;
  const exact = byCode.get(code.replace('.', ''));
  if (exact !== undefined) return { input, code, display: exact.display, category: exact.category };
  const head = code.slice(0, 3);
  const range = ranges.find((entry) => head >= entry.from && head <= entry.to);
  return { input, code, display: range?.display ?? code, category: range?.category };
}

/** Shorthand names, for error messages and docs. */
export const diagnosisShorthand: readonly string[] = known.map((entry) => entry.names[0]!.toUpperCase());
