import { CaraloomError } from '../core/errors.js';

/**
 * `--subscriber NAME=TARGET` for trials without a config file:
 * `ehr=https://ehr.example/hooks` (HTTP, signed with `CARALOOM_SUBSCRIBER_SECRET`
 * when set), `demo=file:./events.jsonl`, `audit=log:`, `emr=mllp://host:2575`.
 * Returns a raw subscriber entry for the `relay.subscribers` schema.
 */
export function parseQuickSubscriber(spec: string, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const at = spec.indexOf('=');
  const name = at > 0 ? spec.slice(0, at) : '';
  const target = at > 0 ? spec.slice(at + 1) : '';
  if (name === '' || target === '') throw new CaraloomError('USAGE', `--subscriber expects NAME=URL (e.g. ehr=https://ehr.example/hooks), got ${JSON.stringify(spec)}`, { status: 400 });
  if (target.startsWith('file:')) return { name, kind: 'file', path: target.slice(5) };
  if (target === 'log:' || target === 'log') return { name, kind: 'log' };
  if (target.startsWith('mllp://')) {
    const url = new URL(target.replace(/^mllp:/, 'http:'));
    return { name, kind: 'mllp', host: url.hostname, port: Number(url.port || 2575) };
  }
  const secret = env.CARALOOM_SUBSCRIBER_SECRET;
  return { name, kind: 'http', url: target, ...(secret ? { secret } : {}) };
}
