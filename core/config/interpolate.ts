import { ConfigError } from '../errors.js';

/** What a config string was before `${VAR}` was replaced: errors show this, never the value. */
export interface Origin {
  path: readonly (string | number)[];
  /** The text as written in the file, e.g. `${CARALOOM_HL7_TOKEN}`. */
  written: string;
  /** What it became (may be a secret). */
  value: string;
}

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replace `${NAME}` and `${NAME:-fallback}` in every string of a parsed YAML
 * tree with the environment's value. Secrets live in the environment, never
 * in the file; a referenced variable that is unset (with no fallback) is an
 * error naming the variable and the config path, never its value. Every
 * replaced string is noted in `origins` so later errors can show `${NAME}`.
 */
export function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: (string | number)[] = [], missing: string[] = [], origins: Origin[] = []): unknown {
  if (typeof value === 'string') {
    const replaced = value.replace(reference, (_, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      missing.push(`${path.join('.') || '(root)'}: environment variable ${name} is not set`);
      return '';
    });
    if (replaced !== value) origins.push({ path, written: value, value: replaced });
    return replaced;
  }
  if (Array.isArray(value)) return value.map((entry, index) => interpolate(entry, env, [...path, index], missing, origins));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, interpolate(entry, env, [...path, key], missing, origins)]));
  }
  return value;
}

export function interpolateOrThrow(value: unknown, env: NodeJS.ProcessEnv, source: string, origins: Origin[] = []): unknown {
  const missing: string[] = [];
  const result = interpolate(value, env, [], missing, origins);
  if (missing.length > 0) throw new ConfigError(`${source} is not valid:\n  - ${missing.join('\n  - ')}`, missing);
  return result;
}
