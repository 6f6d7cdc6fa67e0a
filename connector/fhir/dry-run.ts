/**
 * `caraloom map FILE.json`: what the FHIR door would do with a
 * ServiceRequest or Bundle, without a journal or a network — the mapping
 * chosen, the request it would send (as a sandbox key would receive it when
 * the configured key is one) and its keys, or the exact 400/422
 * OperationOutcome it would answer. Same `prepareReferral` as the door.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OperationOutcome } from 'fhir/r4.js';
import type { Config } from '../../config/schema.js';
import type * as Outcome from '../../core/fhir/outcome.js';
import { isSandboxKey } from '../delivery/api-client.js';
import type { IdentifierField, OutboundRequest } from '../mapping/map.js';
import type { FhirMapping } from './mapping-compile.js';
import { loadFhirMappingFile, loadFhirMappings } from './mapping-load.js';
import { createRequire } from 'node:module';
import type * as Prepare from './prepare.js';

export interface FhirDryRun {
  /** What the door would answer: 202 (stored), 400 or 422. */
  status: number;
  mapping?: { name: string; file: string };
  request?: OutboundRequest;
  identifiers?: IdentifierField[];
  /** Journal key (repeats with it are not queued twice) and the `Idempotency-Key` header. */
  key?: string;
  idempotencyKey?: string;
  outcome?: OperationOutcome;
}

/**
 * `prepareReferral` and the validation behind it (`@medplum/core`) are
 * required on the first dry run, not when the connector starts (#16 aim 3):
 * the playground answers synchronously, so `require` (Node ≥ 20.19 loads an
 * ES module with it: the same instance `import` gives).
 */
let loaded: { prepareReferral: typeof Prepare.prepareReferral; FhirOutcomeError: typeof Outcome.FhirOutcomeError } | undefined;
const require = createRequire(import.meta.url);
/** Both through `require`, so the error class is the one `prepareReferral` throws also where a loader (tsx in tests) gives `require` its own copies. */
function loadPrepare(): NonNullable<typeof loaded> {
  loaded ??= { prepareReferral: (require('./prepare.js') as typeof Prepare).prepareReferral, FhirOutcomeError: (require('../../core/fhir/outcome.js') as typeof Outcome).FhirOutcomeError };
  return loaded;
}

/** True for files `caraloom map` hands to the FHIR dry run. */
export function isFhirInputFile(file: string): boolean {
  return /\.json$/i.test(file);
}

/** One body (bytes or text) through the FHIR door's checks and mapping. */
export function dryRunFhir(input: Buffer | string, mappings: readonly FhirMapping[], options: { deidentify?: boolean } = {}): FhirDryRun {
  const text = (typeof input === 'string' ? input : input.toString('utf8')).replace(/^\uFEFF/, '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: 400, outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'structure', diagnostics: 'not valid JSON' }] } };
  }
  const kind = (body as { resourceType?: unknown } | null)?.resourceType === 'Bundle' ? 'Bundle' : 'ServiceRequest';
  const { prepareReferral, FhirOutcomeError } = loadPrepare();
  try {
    const prepared = prepareReferral(body, { kind, mappings, deidentify: options.deidentify === true });
    return { status: 202, mapping: prepared.mapping, request: prepared.request, identifiers: prepared.identifiers, key: prepared.key, idempotencyKey: prepared.idempotencyKey };
  } catch (error) {
    if (error instanceof FhirOutcomeError) return { status: error.status, outcome: error.outcome };
    throw error;
  }
}

/** Human-readable lines for one file's dry run. */
export function formatFhirDryRun(file: string, run: FhirDryRun): string {
  const lines = [`${file}  FHIR  → ${run.status === 202 ? '202 Accepted (stored, then delivered)' : `${run.status} OperationOutcome`}`];
  if (run.mapping !== undefined) lines.push(`  mapping:  ${run.mapping.name} (${run.mapping.file})`);
  if (run.key !== undefined) lines.push(`  key:      ${run.key}  (Idempotency-Key ${run.idempotencyKey ?? ''})`);
  if (run.request !== undefined) lines.push(`  request:  ${run.request.method} ${run.request.path}`, ...JSON.stringify(run.request.body, null, 2).split('\n').map((line) => `    ${line}`));
  if (run.identifiers !== undefined && run.identifiers.length > 0) lines.push(`  sandbox:  a clk_sandbox_ key receives ${run.identifiers.map((id) => `${id.path} ${id.mode === 'drop' ? 'dropped' : 'pseudonymised'}`).join(', ')}`);
  for (const issue of run.outcome?.issue ?? []) lines.push(`  issue:    ${issue.severity} ${issue.code} at ${issue.expression?.join(', ') ?? '-'}: ${issue.diagnostics ?? ''}`);
  return `${lines.join('\n')}\n\n`;
}

export interface FhirMapOptions {
  config: Config;
  /** Use only this FHIR mapping file. */
  mappingFile?: string | undefined;
  json?: boolean;
  /** @default process.stdout.write */
  write?: (text: string) => void;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** The whole `caraloom map` run for FHIR files; returns the exit code (1 when any file would be refused). */
export function runFhirMap(files: readonly string[], options: FhirMapOptions): number {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const c = options.config.connector;
  const mappings = options.mappingFile === undefined ? loadFhirMappings(path.resolve(c.fhir.mappings ?? path.join(c.mappings, 'fhir'))) : [loadFhirMappingFile(options.mappingFile)];
  const key = (options.env ?? process.env).CARALOOM_API_KEY || c.api.key;
  const deidentify = isSandboxKey(key) && !c.api.sendIdentifiersToSandbox;
  const runs = files.map((file) => ({ file, ...dryRunFhir(readFileSync(file), mappings, { deidentify }) }));
  if (options.json === true) write(`${JSON.stringify(runs, null, 2)}\n`);
  else for (const run of runs) write(formatFhirDryRun(run.file, run));
  return runs.some((run) => run.status !== 202) ? 1 : 0;
}
