/**
 * Alert receivers' secrets kept out of the config file: a webhook URL that is
 * itself the credential (Teams, Slack) or an SMTP password can be read from a
 * file only its owner may read (0600), like the other secrets files.
 */
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { AlertsConfig } from './config.js';

export interface ResolvedWebhook {
  url: string;
  format: AlertsConfig['webhooks'][number]['format'];
  timeout: number;
}

export type ResolvedEmail = Omit<NonNullable<AlertsConfig['email']>, 'passwordFile'>;

function readSecretFile(file: string, where: string): string {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    throw new ConfigError(`${where}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, [{ path: where, message: `cannot read ${file}` }]);
  }
  // Group or others may read it: refuse rather than run with a secret others can copy.
  if ((mode & 0o077) !== 0) throw new ConfigError(`${where}: ${file} is readable by other users (mode 0${(mode & 0o777).toString(8)}); chmod 600 it`, [{ path: where, message: `${file} must be mode 0600` }]);
  const value = readFileSync(file, 'utf8').trim();
  if (value === '') throw new ConfigError(`${where}: ${file} is empty`, [{ path: where, message: `${file} is empty` }]);
  return value;
}

export function resolveWebhooks(config: AlertsConfig): ResolvedWebhook[] {
  return config.webhooks.map((hook, index) => ({
    url: hook.url ?? readSecretFile(hook.urlFile!, `alerts.webhooks.${index}.urlFile`),
    format: hook.format,
    timeout: hook.timeout,
  }));
}

export function resolveEmail(config: AlertsConfig): ResolvedEmail | undefined {
  if (config.email === undefined) return undefined;
  const { passwordFile, ...email } = config.email;
  return passwordFile === undefined ? email : { ...email, password: readSecretFile(passwordFile, 'alerts.email.passwordFile') };
}
