/**
 * The connector's running mapping set: HL7 v2 mappings (`mappings/*.yaml`)
 * and FHIR mappings (`mappings/fhir/*.yaml`), each with the hash of the text
 * it was compiled from. A reload reads both folders into a new set and swaps
 * it in whole; when any file is bad nothing is swapped and every problem is
 * named `file:line` (issue #15 §4). Messages record the hash they were
 * mapped with, so "which version of the file did this?" has an answer.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadYamlFolder, type YamlKind } from '../../core/config/yaml-files.js';
import type { AuditDetail } from '../../core/audit/chain.js';
import { ConfigError } from '../../core/errors.js';
import { versionHash } from '../../core/reload.js';
import type { FhirMapping } from '../fhir/mapping-compile.js';
import { readFhirMapping } from '../fhir/mapping-load.js';
import type { Mapping } from './compile.js';
import { readMapping } from './load.js';

export interface MappingSet {
  readonly hl7: readonly Mapping[];
  readonly fhir: readonly FhirMapping[];
  /** Mapping file path → {@link mappingHash} of its content. */
  readonly hashes: ReadonlyMap<string, string>;
}

/** A mapping file's version: core/reload.ts `versionHash` of its text. */
export const mappingHash = versionHash;

/** Where the set is read from; a folder left undefined gives no mappings of that kind (tests hand in compiled ones). */
export interface MappingSources {
  hl7Dir: string | undefined;
  /** Undefined also when this connector takes no FHIR (no `fhir/` folder). */
  fhirDir: string | undefined;
}

/** A YamlKind that also records the hash of exactly the text it compiled. */
function hashing<M>(what: string, read: YamlKind<M>['read'], hashes: Map<string, string>): YamlKind<M> {
  return {
    what,
    read: (text, file, problems) => {
      hashes.set(file, mappingHash(text));
      return read(text, file, problems);
    },
  };
}

/** Problems of a failed folder load, as `file:line: …` lines. */
function problemLines(error: unknown): string[] {
  if (!(error instanceof ConfigError)) throw error;
  return Array.isArray(error.details) && error.details.length > 0 ? (error.details as string[]) : [error.message];
}

/** Reads both folders; throws one ConfigError listing every problem in either. */
export function loadMappingSet(sources: MappingSources): MappingSet {
  const hashes = new Map<string, string>();
  const problems: string[] = [];
  let hl7: Mapping[] = [];
  let fhir: FhirMapping[] = [];
  try {
    if (sources.hl7Dir !== undefined) hl7 = loadYamlFolder(sources.hl7Dir, hashing('mapping', readMapping, hashes));
  } catch (error) {
    problems.push(...problemLines(error));
  }
  try {
    if (sources.fhirDir !== undefined) fhir = loadYamlFolder(sources.fhirDir, hashing('FHIR mapping', readFhirMapping, hashes));
  } catch (error) {
    problems.push(...problemLines(error));
  }
  if (problems.length > 0) throw new ConfigError(`mappings are not valid; the running set stays:\n  - ${problems.join('\n  - ')}`, problems);
  return Object.freeze({ hl7, fhir, hashes });
}

/** `{ "<file>": "<hash>" }` with FHIR files as `fhir/<file>`, plus counts: the reload's audit detail. */
export function setDetail(set: MappingSet, sources: MappingSources | undefined): AuditDetail {
  const detail: AuditDetail = { hl7: set.hl7.length, fhir: set.fhir.length };
  const name = (file: string, base: string | undefined) => (base === undefined ? path.basename(file) : path.relative(base, file));
  for (const mapping of set.hl7) detail[name(mapping.file, sources?.hl7Dir)] = set.hashes.get(mapping.file) ?? 'unhashed';
  for (const mapping of set.fhir) detail[`fhir/${name(mapping.file, sources?.fhirDir)}`] = set.hashes.get(mapping.file) ?? 'unhashed';
  return detail;
}

/**
 * The FHIR folder: `connector.fhir.mappings`, else `<mappings>/fhir` when it
 * exists (connector/fhir/mount.ts: a connector without it takes no FHIR;
 * a configured folder that is missing is an error, as at start-up).
 */
export function fhirDirOf(configured: string | undefined, hl7Dir: string): string | undefined {
  if (configured !== undefined) return path.resolve(configured);
  const dir = path.join(hl7Dir, 'fhir');
  return existsSync(dir) ? dir : undefined;
}
