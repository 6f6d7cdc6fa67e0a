/**
 * FHIRPath for mapping files, through `fhirpath` (HL7's JavaScript
 * implementation) with the R4 model, so choice types (`occurrence`) and
 * `ofType()` work as the spec says. Expressions are compiled once, when the
 * mapping file loads; a syntax error is reported there, never per message.
 *
 * Every expression runs with the ServiceRequest as its root and these
 * environment variables (R4 FHIRPath §2.9 `%name`), always defined so an
 * expression never throws on an absent resource:
 * - `%patient`    the Patient the subject points at (Bundle entry or contained);
 * - `%encounter`  the Encounter of `ServiceRequest.encounter`;
 * - `%conditions` the Conditions of `ServiceRequest.reasonReference`;
 * - `%coverage`   the Coverages of `ServiceRequest.insurance`;
 * - `%bundle`     the posted Bundle (empty for a lone ServiceRequest).
 */
import { createRequire } from 'node:module';

/**
 * The engine and its R4 model cost ~20 MB of memory (issue #16 aim 3): they
 * are loaded on the first compile — a connector with FHIR mappings loads them
 * when its mappings load, one without never does. Loaded with `require` (the
 * package's CommonJS build) so compiling stays synchronous; this file is the
 * package's only user, so there is one instance.
 */
interface FhirPathEngine {
  compile(expression: string, model: unknown): (resource: unknown, env?: Record<string, unknown>) => unknown;
}
let engine: { fhirpath: FhirPathEngine; r4: unknown } | undefined;
const require = createRequire(import.meta.url);

function loadEngine(): { fhirpath: FhirPathEngine; r4: unknown } {
  engine ??= { fhirpath: require('fhirpath') as FhirPathEngine, r4: require('fhirpath/fhir-context/r4') as unknown };
  return engine;
}

/** Whether this process has loaded the FHIRPath engine (tests: a connector without FHIR mappings never does). */
export const fhirPathLoaded = (): boolean => engine !== undefined;

export const environmentNames = ['patient', 'encounter', 'conditions', 'coverage', 'bundle'] as const;
export type EnvironmentName = (typeof environmentNames)[number];
export type Environment = Partial<Record<EnvironmentName, unknown>>;

export interface CompiledPath {
  /** The expression as written in the mapping file. */
  source: string;
  /** Values it selects (primitives as strings; complex values as JSON objects). */
  evaluate(root: object, environment: Environment): unknown[];
}

export class FhirPathSyntaxError extends Error {
  constructor(expression: string, detail: string) {
    super(`not a FHIRPath expression: ${expression} (${detail})`);
    this.name = 'FhirPathSyntaxError';
  }
}

/** Compile once; throws FhirPathSyntaxError naming the expression. */
export function compileFhirPath(expression: string): CompiledPath {
  let run: (resource: unknown, env?: Record<string, unknown>) => unknown;
  const { fhirpath, r4 } = loadEngine();
  try {
    run = fhirpath.compile(expression, r4);
  } catch (error) {
    // The parser's message lists every token it expected; the first line is enough.
    const detail = (error as Error).message.split('\n')[0]!.replace(/expecting \{.*$/, '').slice(0, 160);
    throw new FhirPathSyntaxError(expression, detail);
  }
  return {
    source: expression,
    evaluate(root, environment) {
      const env: Record<string, unknown> = {};
      for (const name of environmentNames) env[name] = environment[name] ?? [];
      const result = run(root, env);
      return Array.isArray(result) ? result : [result];
    },
  };
}

/** The first value as text: strings, numbers and booleans only (a complex value is not a field value). */
export function firstText(values: readonly unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  }
  return undefined;
}
