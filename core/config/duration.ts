import { z } from 'zod';

const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `5s`, `30m`, `2h`, `3d` or a number of milliseconds → milliseconds; undefined when malformed. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)\s*$/.exec(value);
  if (match === null) return undefined;
  return Math.round(Number(match[1]) * units[match[2]!]!);
}

/** A config duration: a number of milliseconds or a string such as `5s`, `30m`, `2h`, `3d`. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 5s, 30m, 2h, 3d or milliseconds, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
});
