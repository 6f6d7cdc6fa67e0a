/**
 * One naming scheme for every service: `caraloom_<service>_<what>_<unit>`,
 * Node/process defaults included (`caraloom_connector_process_cpu_seconds_total`).
 * Each service owns a registry (several share a process under `caraloom up`).
 *
 * Names a release renamed are still served for one release as deprecated
 * copies (see CHANGELOG.md), so dashboards and alert rules keep working while
 * a site moves to the new names.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export type ServiceName = 'connector' | 'relay' | 'sandbox' | 'console';

export const metricPrefix = (service: ServiceName): string => `caraloom_${service}_`;

/** A registry with the process and Node.js default metrics under the service's prefix. */
export function createServiceRegistry(service: ServiceName, options: { defaults?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry, prefix: metricPrefix(service) });
  return registry;
}

/** Old name → new name, or an old prefix → new prefix when the key ends with `*`. */
export type MetricAliases = Readonly<Record<string, string>>;

/**
 * The exposition text of `registry` followed by deprecated copies of the
 * aliased metrics under their old names (HELP says which name replaces them).
 */
export async function renderMetrics(registry: Registry, aliases: MetricAliases = {}): Promise<string> {
  const text = await registry.metrics();
  const entries = Object.entries(aliases);
  if (entries.length === 0) return text;
  const oldNameOf = (name: string): string | undefined => {
    for (const [old, current] of entries) {
      if (old.endsWith('*')) {
        if (name.startsWith(current.slice(0, -1))) return old.slice(0, -1) + name.slice(current.length - 1);
      } else if (name === current) return old;
    }
    return undefined;
  };
  const copies: string[] = [];
  let family: string | undefined;
  let renamed: string | undefined;
  for (const line of text.split('\n')) {
    const declared = /^# (HELP|TYPE) (\S+)(.*)$/.exec(line);
    if (declared !== null) {
      if (declared[1] === 'HELP') {
        family = declared[2]!;
        renamed = oldNameOf(family);
        if (renamed !== undefined) copies.push(`# HELP ${renamed} Deprecated: renamed ${family}.`);
      } else if (renamed !== undefined) copies.push(`# TYPE ${renamed}${declared[3]}`);
      continue;
    }
    if (renamed === undefined || family === undefined || line === '' || !line.startsWith(family)) continue;
    copies.push(renamed + line.slice(family.length));
  }
  return copies.length === 0 ? text : `${text.replace(/\n*$/, '\n')}${copies.join('\n')}\n`;
}
