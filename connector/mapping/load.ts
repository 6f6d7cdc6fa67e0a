/**
 * Reads HL7 v2 mapping files at start-up (`mappings/*.yaml`; sub-folders such
 * as `fhir/` and `relay/` belong to others), through the shared YAML loader:
 * every problem in every file reported at once with `file:line`.
 */
import { loadYamlFile, loadYamlFolder, readYamlFile, type YamlKind } from '../../core/config/yaml-files.js';
import { compileMapping, type Mapping } from './compile.js';
import { mappingFileSchema } from './schema.js';

/** Parses, validates and compiles one mapping file's text; `problems` get `file:line: …` entries. */
export function readMapping(text: string, file: string, problems: string[]): Mapping | undefined {
  return readYamlFile(text, file, mappingFileSchema, compileMapping, problems);
}

const hl7Mappings: YamlKind<Mapping> = { what: 'mapping', read: readMapping };

/** Loads and checks every mapping in a folder; throws one ConfigError listing every problem. */
export function loadMappings(dir: string): Mapping[] {
  return loadYamlFolder(dir, hl7Mappings);
}

/** Loads one mapping file (for `caraloom map --mapping FILE`). */
export function loadMappingFile(file: string): Mapping {
  return loadYamlFile(file, hl7Mappings);
}
