/**
 * Reads mapping files at start-up. Every problem in every file is collected
 * and reported in one ConfigError, each line naming `file:line` and the key,
 * so an analyst fixes them all in one pass. Only `*.yaml` / `*.yml` directly
 * in the folder are read (sub-folders such as `relay/` belong to others).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../../core/errors.js';
import { formatIssues } from '../../core/config/issues.js';
import { compileMapping, type CompileIssue, type Mapping } from './compile.js';
import { mappingFileSchema } from './schema.js';

/** Line (1-based) of the node at `keys`, or of its nearest existing parent. */
function lineOf(document: Document, counter: LineCounter, keys: readonly PropertyKey[]): number | undefined {
  for (let depth = keys.length; depth >= 0; depth--) {
    const node = document.getIn(keys.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node !== undefined && node !== null && typeof node === 'object' && node.range !== undefined) {
      // A map or list's own range starts at its first entry; name the key's line instead when there is one.
      if (depth > 0 && (isMap(node) || isSeq(node))) {
        const parent = document.getIn(keys.slice(0, depth - 1) as unknown[], true);
        if (isMap(parent)) {
          const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === keys[depth - 1]);
          const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
          if (range !== undefined) return counter.linePos(range[0]).line;
        }
      }
      return counter.linePos(node.range[0]).line;
    }
  }
  return undefined;
}

/** Parses, validates and compiles one mapping file's text; `problems` get `file:line: …` entries. */
export function readMapping(text: string, file: string, problems: string[]): Mapping | undefined {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    for (const error of document.errors) problems.push(`${file}:${counter.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`);
    return undefined;
  }
  const raw: unknown = document.toJS() ?? {};
  const parsed = mappingFileSchema.safeParse(raw);
  const at = (keys: readonly PropertyKey[], message: string) => {
    const line = lineOf(document, counter, keys);
    problems.push(`${file}${line === undefined ? '' : `:${line}`}: ${message}`);
  };
  if (!parsed.success) {
    const lines = formatIssues(parsed.error.issues, raw);
    parsed.error.issues.forEach((issue, index) => at(issue.path, lines[index]!));
    return undefined;
  }
  const { mapping, issues } = compileMapping(parsed.data, file);
  issues.forEach((issue: CompileIssue) => at(issue.path, `${issue.path.join('.')}: ${issue.message}`));
  return mapping;
}

/** Loads and checks every mapping in a folder; throws one ConfigError listing every problem. */
export function loadMappings(dir: string): Mapping[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new ConfigError(`cannot read mapping folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, undefined, error);
  }
  const problems: string[] = [];
  const mappings: Mapping[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const mapping = readMapping(readFileSync(file, 'utf8'), file, problems);
    if (mapping !== undefined) mappings.push(mapping);
  }
  const seen = new Map<string, string>();
  for (const mapping of mappings) {
    const other = seen.get(mapping.name);
    if (other !== undefined) problems.push(`${mapping.file}: name ${mapping.name} is also used by ${other}`);
    seen.set(mapping.name, mapping.file);
  }
  if (problems.length > 0) throw new ConfigError(`mappings in ${dir} are not valid:\n  - ${problems.join('\n  - ')}`, problems);
  if (mappings.length === 0) throw new ConfigError(`no mapping files (*.yaml) in ${dir}`);
  return mappings;
}

/** Loads one mapping file (for `caraloom map --mapping FILE`). */
export function loadMappingFile(file: string): Mapping {
  const problems: string[] = [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read mapping file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, undefined, error);
  }
  const mapping = readMapping(text, file, problems);
  if (mapping === undefined || problems.length > 0) throw new ConfigError(`mapping ${file} is not valid:\n  - ${problems.join('\n  - ')}`, problems);
  return mapping;
}
