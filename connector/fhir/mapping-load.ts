/**
 * Reads FHIR mapping files (`mappings/fhir/*.yaml`) at start-up through the
 * shared YAML loader, as the HL7 v2 loader does: every problem in every file
 * collected into one ConfigError, each naming `file:line` and the key.
 */
import { loadYamlFile, loadYamlFolder, readYamlFile, type YamlKind } from '../../core/config/yaml-files.js';
import { compileFhirMapping, type FhirMapping } from './mapping-compile.js';
import { fhirMappingFileSchema } from './mapping-schema.js';

/** Parses, validates and compiles one file's text; problems get `file:line: …` entries. */
export function readFhirMapping(text: string, file: string, problems: string[]): FhirMapping | undefined {
  return readYamlFile(text, file, fhirMappingFileSchema, compileFhirMapping, problems);
}

const fhirMappings: YamlKind<FhirMapping> = { what: 'FHIR mapping', read: readFhirMapping };

/** Every `*.yaml` directly in `dir`; throws one ConfigError listing every problem. A missing folder is an error too. */
export function loadFhirMappings(dir: string): FhirMapping[] {
  return loadYamlFolder(dir, fhirMappings);
}

/** One file (for `caraloom map FILE.json --mapping FILE.yaml`). */
export function loadFhirMappingFile(file: string): FhirMapping {
  return loadYamlFile(file, fhirMappings);
}
