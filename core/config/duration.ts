import { z } from 'zod';

const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `500ms`, `5s`, `30m`, `2h`, `3d`, or a bare number → milliseconds; undefined
 * when malformed. A bare number (`5`, `"5"`, `0.5`) means SECONDS, everywhere
 * in the config (issue #12 §2: one convention; before, some lists meant
 * seconds and others milliseconds). Write `250ms` for less than a second.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1_000) : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$/.exec(value);
  if (match === null) return undefined;
  return Math.round(Number(match[1]) * units[match[2] ?? 's']!);
}

/** A config duration: `500ms`, `5s`, `30m`, `2h`, `3d`, or a bare number of seconds; parsed to milliseconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 500ms, 5s, 30m, 2h, 3d or a number of seconds, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
});

/** A list of delays (retry schedules): each entry a duration, bare numbers in seconds. */
export const durationListSchema = (max: number) => z.array(durationSchema).max(max);
