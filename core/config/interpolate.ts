import { ConfigError } from '../errors.js';

/**
 * Replace `${NAME}` and `${NAME:-fallback}` in every string of a parsed YAML
 * tree with the environment's value. Secrets live in the environment, never
 * in the file; a referenced variable that is unset (with no fallback) is an
 * error naming the variable and the config path, never its value.
 */
export function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: string[] = [], missing: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      missing.push(`${path.join('.') || '(root)'}: environment variable ${name} is not set`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((entry, index) => interpolate(entry, env, [...path, String(index)], missing));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, interpolate(entry, env, [...path, key], missing)]));
  }
  return value;
}

export function interpolateOrThrow(value: unknown, env: NodeJS.ProcessEnv, source: string): unknown {
  const missing: string[] = [];
  const result = interpolate(value, env, [], missing);
  if (missing.length > 0) throw new ConfigError(`${source} is not valid:\n  - ${missing.join('\n  - ')}`, missing);
  return result;
}
