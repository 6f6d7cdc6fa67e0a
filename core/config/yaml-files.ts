/**
 * Loading YAML files that people edit (mapping files): every problem in every
 * file collected and reported in one ConfigError, each naming `file:line` and
 * the key, so an analyst fixes them all in one pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { formatIssues } from './issues.js';

/** A problem found after schema validation, at a YAML path. */
export interface YamlIssue {
  path: (string | number)[];
  message: string;
}

/** Turns a schema-valid file into what runs, or says at which paths it cannot. */
export type Compile<T, M> = (parsed: T, file: string) => { mapping?: M | undefined; issues: readonly YamlIssue[] };

/** Line (1-based) of the node at `keys`, or of its nearest existing parent. */
function lineOf(document: Document, counter: LineCounter, keys: readonly PropertyKey[]): number | undefined {
  for (let depth = keys.length; depth >= 0; depth--) {
    const node = document.getIn(keys.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | null | undefined;
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

/** Parses, validates and compiles one file's text; problems get `file:line: …` entries. */
export function readYamlFile<S extends z.ZodType, M>(text: string, file: string, schema: S, compile: Compile<z.infer<S>, M>, problems: string[]): M | undefined {
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
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = formatIssues(parsed.error.issues, raw);
    for (const [index, issue] of parsed.error.issues.entries()) at(issue.path, lines[index]!);
    return undefined;
  }
  const { mapping, issues } = compile(parsed.data, file);
  for (const issue of issues) at(issue.path, `${issue.path.join('.')}: ${issue.message}`);
  return mapping;
}

/** How one kind of file is read: `what` names it in errors ("mapping", "FHIR mapping"). */
export interface YamlKind<M> {
  what: string;
  read: (text: string, file: string, problems: string[]) => M | undefined;
}

/**
 * Every `*.yaml` / `*.yml` directly in `dir` (sub-folders belong to others);
 * names must be unique. Throws one ConfigError listing every problem; an
 * unreadable or empty folder is an error too.
 */
export function loadYamlFolder<M extends { name: string; file: string }>(dir: string, kind: YamlKind<M>): M[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new ConfigError(`cannot read ${kind.what} folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, undefined, error);
  }
  const problems: string[] = [];
  const loaded: M[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const mapping = kind.read(readFileSync(file, 'utf8'), file, problems);
    if (mapping !== undefined) loaded.push(mapping);
  }
  const seen = new Map<string, string>();
  for (const mapping of loaded) {
    const other = seen.get(mapping.name);
    if (other !== undefined) problems.push(`${mapping.file}: name ${mapping.name} is also used by ${other}`);
    seen.set(mapping.name, mapping.file);
  }
  if (problems.length > 0) throw new ConfigError(`${kind.what}s in ${dir} are not valid:\n  - ${problems.join('\n  - ')}`, problems);
  if (loaded.length === 0) throw new ConfigError(`no ${kind.what} files (*.yaml) in ${dir}`);
  return loaded;
}

/** One file (for `caraloom map … --mapping FILE`). */
export function loadYamlFile<M>(file: string, kind: YamlKind<M>): M {
  const problems: string[] = [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${kind.what} file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, undefined, error);
  }
  const mapping = kind.read(text, file, problems);
  if (mapping === undefined || problems.length > 0) throw new ConfigError(`${kind.what} ${file} is not valid:\n  - ${problems.join('\n  - ')}`, problems);
  return mapping;
}
