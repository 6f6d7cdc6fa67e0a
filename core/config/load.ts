import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { withFlags, type Flags } from './flags.js';
import { interpolateOrThrow, type Origin } from './interpolate.js';
import { formatIssues } from './issues.js';
import { renameWarnings } from './renamed.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}

/** Validate any YAML-derived tree against a schema, listing every bad path in one error (values from `${VAR}` shown as written). */
export function validate<S extends z.ZodType>(schema: S, input: unknown, source: string, origins: readonly Origin[] = []): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = formatIssues(parsed.error.issues, input, origins);
    throw new ConfigError(`${source} is not valid:\n  - ${lines.join('\n  - ')}`, lines);
  }
  return parsed.data;
}

/** Parse YAML text; syntax errors name the line and column. */
export function parseYaml(text: string, source: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const lines = document.errors.map((error) => `line ${error.linePos?.[0]?.line ?? '?'}, column ${error.linePos?.[0]?.col ?? '?'}: ${error.message.split('\n')[0]}`);
    throw new ConfigError(`${source} is not valid YAML:\n  - ${lines.join('\n  - ')}`, lines);
  }
  return document.toJS() ?? {};
}

/**
 * A config tree → `${ENV}` interpolation → flags → one schema with defaults →
 * a frozen typed object, plus one warning per old key name read. The product
 * binds its schema in config/load.ts (core does not know the services).
 */
export function loadTree<S extends z.ZodType>(schema: S, raw: unknown, options: { env: NodeJS.ProcessEnv; source: string; flags?: Flags }): { config: z.infer<S>; warnings: string[] } {
  const origins: Origin[] = [];
  const interpolated = interpolateOrThrow(raw, options.env, options.source, origins) as Record<string, unknown>;
  const flags = options.flags ?? {};
  const input = withFlags(interpolated, flags);
  // A value a flag replaced did not come from `${VAR}` any more: show the flag's value.
  const given = Object.keys(flags).filter((key) => flags[key] !== undefined);
  const kept = origins.filter((origin) => !given.some((key) => origin.path.map(String).join('.').startsWith(key)));
  const config = deepFreeze(validate(schema, input, options.source, kept));
  return { config, warnings: renameWarnings(input) };
}

/** The config file's YAML as a plain tree, before interpolation and validation ({} without a file). */
export function readRawConfig(file?: string): Record<string, unknown> {
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, undefined, error);
  }
  const raw = parseYaml(text, file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file} is not valid:\n  - (root): expected a mapping of sections`);
  return raw as Record<string, unknown>;
}

