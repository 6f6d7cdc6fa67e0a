import type { Flags } from '../core/config/flags.js';
import { loadTree, readRawConfig } from '../core/config/load.js';
import { configSchema, type Config } from './schema.js';

export type { Config } from './schema.js';

/** Where load-time warnings go (old key names): standard error, once per load. */
export type Warn = (line: string) => void;
const toStderr: Warn = (line) => void process.stderr.write(`warning: ${line}\n`);

/**
 * Load the product config: YAML file (optional) → `${ENV}` interpolation →
 * command-line flags (`{ 'connector.mllp.port': 2576 }`) → one schema with
 * defaults → a frozen typed object. Called once at start-up, before anything
 * listens; every bad path (file or flag) is listed in one ConfigError.
 */
export function loadConfig(file?: string, env: NodeJS.ProcessEnv = process.env, flags: Flags = {}, warn: Warn = toStderr): Config {
  const { config, warnings } = loadTree(configSchema, readRawConfig(file), { env, source: file ?? 'default config', flags });
  for (const line of warnings) warn(line);
  return config;
}

/** Same, from an in-memory tree (tests, `caraloom up`); warnings only when `warn` is given. */
export function configFrom(raw: unknown, env: NodeJS.ProcessEnv = process.env, warn?: Warn): Config {
  const { config, warnings } = loadTree(configSchema, raw, { env, source: 'config' });
  if (warn !== undefined) for (const line of warnings) warn(line);
  return config;
}
