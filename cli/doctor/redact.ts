/**
 * `caraloom doctor` prints to terminals, tickets and chat: no part of a key
 * or secret may reach its output, whichever check produced the text — a key
 * echoed in a config error, a key in the API URL's query, an error from the
 * API or the network. Every detail goes through here before it is shown.
 */
import type { CheckResult } from './checks.js';

/** A run of this many characters shared with a secret is treated as part of it. */
const MIN_RUN = 8;

const REDACTED = '«redacted»';

const secretName = /key|secret|token|password|passwd/i;

/** Values of environment variables whose names say they hold a secret (a config may reference any name). */
export function secretsFromEnv(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => secretName.test(name) && value !== undefined && value.length >= MIN_RUN)
    .map(([, value]) => value!);
}

/**
 * Strings held under a secret-sounding name anywhere in the loaded config
 * (`connector.api.key`, `relay.secrets`, admin `tokens`, `alerts.email.password`,
 * `alerts.webhooks` URLs…), found by walking
 * it so that a new secret field is covered without a change here. File paths
 * (`keyFile`, `secretsFile`) are not secrets and are left alone.
 */
export function configSecrets(config: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, secret: boolean): void => {
    if (typeof value === 'string') {
      if (secret && value.length >= MIN_RUN) found.push(value);
    } else if (Array.isArray(value)) {
      for (const entry of value) walk(entry, secret);
    } else if (value !== null && typeof value === 'object') {
      // `alerts.webhooks[].url`: Teams and Slack webhook URLs are themselves the credential.
      for (const [name, entry] of Object.entries(value)) walk(entry, secret || name === 'webhooks' || (secretName.test(name) && !/file$/i.test(name)));
    }
  };
  walk(config, false);
  return found;
}

/**
 * Replace every run of text that shares `MIN_RUN` or more consecutive
 * characters with a secret — a whole key, a prefix a check sliced off, the
 * 40 characters a validation message clipped — by «redacted».
 */
export function redactText(text: string, secrets: readonly string[]): string {
  const grams = new Set<string>();
  for (const secret of secrets) for (let i = 0; i + MIN_RUN <= secret.length; i++) grams.add(secret.slice(i, i + MIN_RUN));
  if (grams.size === 0 || text.length < MIN_RUN) return text;
  const hidden = new Array<boolean>(text.length).fill(false);
  for (let i = 0; i + MIN_RUN <= text.length; i++) {
    if (grams.has(text.slice(i, i + MIN_RUN))) hidden.fill(true, i, i + MIN_RUN);
  }
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (!hidden[i]) out += text[i];
    else if (i === 0 || !hidden[i - 1]) out += REDACTED;
  }
  return out;
}

export function redactResults(results: readonly CheckResult[], secrets: readonly string[]): CheckResult[] {
  return results.map((result) => ({ ...result, name: redactText(result.name, secrets), detail: redactText(result.detail, secrets) }));
}
