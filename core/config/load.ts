import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { interpolateOrThrow } from './interpolate.js';
import { formatIssues } from './issues.js';
import { configSchema, type Config } from './schema.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}

/** Validate any YAML-derived tree against a schema, listing every bad path in one error. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, source: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = formatIssues(parsed.error.issues, input);
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
 * Load the product config: YAML file (optional) → `${ENV}` interpolation →
 * one schema with defaults → a frozen typed object. Called once at start-up,
 * before anything listens.
 */
export function loadConfig(file?: string, env: NodeJS.ProcessEnv = process.env): Config {
  const source = file ?? 'default config';
  return deepFreeze(validate(configSchema, interpolateOrThrow(readRawConfig(file), env, source), source));
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

/** Same, from an in-memory object (tests, `caraloom up`). */
export function configFrom(raw: unknown, env: NodeJS.ProcessEnv = process.env): Config {
  return deepFreeze(validate(configSchema, interpolateOrThrow(raw, env, 'config'), 'config'));
}
