import { CaraloomError } from '../../core/errors.js';

/** One bad query parameter, named. */
export interface ParameterIssue {
  parameter: string;
  message: string;
}

/** 400 `PARAMETER_INVALID` naming every bad parameter. */
export function parameterError(issues: readonly ParameterIssue[]): CaraloomError {
  return new CaraloomError('PARAMETER_INVALID', `invalid query parameter: ${issues.map((issue) => issue.parameter).join(', ')}`, { status: 400, details: issues });
}

/**
 * Read query parameters strictly: unknown names and repeated names are issues
 * (a typo such as `diagnoses` should not silently return everything).
 */
export function readQuery(query: Record<string, string | string[] | undefined>, allowed: readonly string[], issues: ParameterIssue[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!allowed.includes(name)) {
      issues.push({ parameter: name, message: `unknown parameter; expected one of: ${allowed.join(', ')}` });
    } else if (Array.isArray(value)) {
      issues.push({ parameter: name, message: 'must be given once' });
    } else if (value !== undefined) {
      out[name] = value;
    }
  }
  return out;
}

/** An integer within bounds, or an issue. */
export function readInteger(value: string | undefined, parameter: string, min: number, max: number, fallback: number, issues: ParameterIssue[]): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    issues.push({ parameter, message: `must be an integer from ${min} to ${max}` });
    return fallback;
  }
  return Number(value);
}
