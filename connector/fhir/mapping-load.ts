/**
 * Reads FHIR mapping files (`mappings/fhir/*.yaml`) at start-up: every
 * problem in every file collected into one ConfigError, each naming
 * `file:line` and the key, as the HL7 v2 loader does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { formatIssues } from '../../core/config/issues.js';
import { ConfigError } from '../../core/errors.js';
import { compileFhirMapping, type FhirMapping } from './mapping-compile.js';
import { fhirMappingFileSchema } from './mapping-schema.js';

/** Line (1-based) of the node at `keys`, or of its nearest existing parent. */
function lineOf(document: Document, counter: LineCounter, keys: readonly PropertyKey[]): number | undefined {
  for (let depth = keys.length; depth >= 0; depth--) {
    const node = document.getIn(keys.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | null | undefined;
    if (node !== undefined && node !== null && typeof node === 'object' && node.range !== undefined) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Parses, validates and compiles one file's text; problems get `file:line: …` entries. */
export function readFhirMapping(text: string, file: string, problems: string[]): FhirMapping | undefined {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    for (const error of document.errors) problems.push(`${file}:${counter.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`);
    return undefined;
  }
  const raw: unknown = document.toJS() ?? {};
  const at = (keys: readonly PropertyKey[], message: string) => {
    const line = lineOf(document, counter, keys);
    problems.push(`${file}${line === undefined ? '' : `:${line}`}: ${message}`);
  };
  const parsed = fhirMappingFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = formatIssues(parsed.error.issues, raw);
    parsed.error.issues.forEach((issue, index) => at(issue.path, lines[index]!));
    return undefined;
  }
  const { mapping, issues } = compileFhirMapping(parsed.data, file);
  for (const issue of issues) at(issue.path, `${issue.path.join('.')}: ${issue.message}`);
  return mapping;
}

/** Every `*.yaml` directly in `dir`; throws one ConfigError listing every problem. A missing folder is an error too. */
export function loadFhirMappings(dir: string): FhirMapping[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new ConfigError(`cannot read FHIR mapping folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, undefined, error);
  }
  const problems: string[] = [];
  const mappings: FhirMapping[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const mapping = readFhirMapping(readFileSync(file, 'utf8'), file, problems);
    if (mapping !== undefined) mappings.push(mapping);
  }
  const seen = new Map<string, string>();
  for (const mapping of mappings) {
    const other = seen.get(mapping.name);
    if (other !== undefined) problems.push(`${mapping.file}: name ${mapping.name} is also used by ${other}`);
    seen.set(mapping.name, mapping.file);
  }
  if (problems.length > 0) throw new ConfigError(`FHIR mappings in ${dir} are not valid:\n  - ${problems.join('\n  - ')}`, problems);
  if (mappings.length === 0) throw new ConfigError(`no FHIR mapping files (*.yaml) in ${dir}`);
  return mappings;
}

/** One file (for `caraloom map FILE.json --mapping FILE.yaml`). */
export function loadFhirMappingFile(file: string): FhirMapping {
  const problems: string[] = [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read FHIR mapping file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, undefined, error);
  }
  const mapping = readFhirMapping(text, file, problems);
  if (mapping === undefined || problems.length > 0) throw new ConfigError(`FHIR mapping ${file} is not valid:\n  - ${problems.join('\n  - ')}`, problems);
  return mapping;
}
