import { z } from 'zod';

/**
 * A whole number in a range, with one message for every way to miss it
 * (`expected an integer from 0 to 65535`), so a flag or a config value out of
 * range reads the same wherever it is checked.
 */
export const integer = (min: number, max: number) => {
  const message = `expected an integer from ${min} to ${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
};

/** A TCP port; 0 lets the OS pick. */
export const portSchema = integer(0, 65535);
