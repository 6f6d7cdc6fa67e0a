/**
 * Helpers for the metrics tests: run `promtool check metrics` on an
 * exposition text, and pull metric names out of PromQL and exposition text.
 */
import { spawnSync } from 'node:child_process';

/** promtool's verdict on one /metrics text: exit status and each lint line. */
export function promtoolCheckMetrics(text: string): { status: number | null; problems: string[]; stderr: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  const problems = `${run.stdout}\n${run.stderr}`.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return { status: run.status, problems, stderr: run.stderr };
}

const functions = new Set(['sum', 'min', 'max', 'avg', 'count', 'rate', 'irate', 'increase', 'delta', 'histogram_quantile', 'topk', 'bottomk', 'abs', 'clamp_min', 'clamp_max', 'time', 'vector', 'scalar', 'absent', 'label_replace', 'by', 'without', 'and', 'or', 'unless', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'humanizeDuration', 'humanizePercentage']);

/**
 * The metric names a PromQL expression reads: bare selectors
 * (`caraloom_connector_acks_total{…}`) and `{__name__=~"re"}` selectors
 * (returned as a RegExp). Label values, label names in `by (…)`, grafana
 * variables (`$instance`) and function names are left out.
 */
export function promqlNames(expr: string): { names: string[]; patterns: RegExp[] } {
  const patterns = [...expr.matchAll(/__name__=~"([^"]+)"/g)].map((match) => new RegExp(`^(?:${match[1]!})$`));
  const cleaned = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values and regexes
    .replace(/\{[^}]*\}/g, '{}') // label matchers
    .replace(/\b(?:by|without|on|ignoring)\s*\([^)]*\)/g, '') // grouping label lists
    .replace(/\[[^\]]*\]/g, ''); // range selectors
  const names = [...cleaned.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)].map((match) => match[0]).filter((name) => !functions.has(name) && /_/.test(name) && !/^\d/.test(name));
  return { names: [...new Set(names)], patterns };
}

/** Every sample name an exposition text has (histogram `_bucket`/`_sum`/`_count` included, from TYPE lines even with no sample yet). */
export function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type !== null) {
      const [, name, kind] = type;
      names.add(name!);
      if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name! + suffix);
      if (kind === 'summary') for (const suffix of ['_sum', '_count']) names.add(name! + suffix);
      continue;
    }
    const sample = /^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]/.exec(line);
    if (sample !== null) names.add(sample[1]!);
  }
  return names;
}
