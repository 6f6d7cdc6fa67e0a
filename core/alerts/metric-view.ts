/**
 * What the built-in alerts read: the service's own Prometheus registry, so
 * they see exactly what `/metrics` exports and the shipped rules query. Kept
 * as a short history of samples so counter increases over a window
 * (`increase(x[30m])`) can be computed without a Prometheus server.
 */
import type { Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string | number>>;

interface Series {
  name: string;
  labels: Labels;
  value: number;
}

interface Snapshot {
  at: number;
  series: Series[];
}

const matches = (labels: Labels, filter: Labels | undefined): boolean => filter === undefined || Object.entries(filter).every(([key, value]) => String(labels[key]) === String(value));

export class MetricHistory {
  readonly #snapshots: Snapshot[] = [];

  constructor(private readonly keepMs: number) {}

  /** Read every series of `registry` now (this runs the gauges' collect functions). */
  async record(registry: Registry, at: number): Promise<void> {
    const families = await registry.getMetricsAsJSON();
    const series: Series[] = [];
    for (const family of families) {
      for (const entry of family.values as Array<{ labels: Labels; value: number; metricName?: string }>) {
        series.push({ name: entry.metricName ?? family.name, labels: entry.labels, value: entry.value });
      }
    }
    this.#snapshots.push({ at, series });
    while (this.#snapshots.length > 2 && this.#snapshots[1]!.at <= at - this.keepMs) this.#snapshots.shift();
  }

  /** The series of `name` (matching `filter`) in the latest snapshot. */
  series(name: string, filter?: Labels): Series[] {
    const last = this.#snapshots.at(-1);
    return last === undefined ? [] : last.series.filter((entry) => entry.name === name && matches(entry.labels, filter));
  }

  /** Sum over the matching series now; undefined when none exists. */
  value(name: string, filter?: Labels): number | undefined {
    const found = this.series(name, filter);
    return found.length === 0 ? undefined : found.reduce((sum, entry) => sum + entry.value, 0);
  }

  /**
   * How much the matching counters grew over the last `windowMs`; undefined
   * while the history does not yet reach that far back (a fresh start is not
   * "nothing happened for two hours").
   */
  increase(name: string, filter: Labels | undefined, windowMs: number): number | undefined {
    const last = this.#snapshots.at(-1);
    if (last === undefined) return undefined;
    const from = [...this.#snapshots].reverse().find((snapshot) => snapshot.at <= last.at - windowMs);
    if (from === undefined) return undefined;
    const before = new Map(from.series.filter((entry) => entry.name === name && matches(entry.labels, filter)).map((entry) => [JSON.stringify(entry.labels), entry.value]));
    let total = 0;
    for (const entry of last.series) {
      if (entry.name !== name || !matches(entry.labels, filter)) continue;
      const then = before.get(JSON.stringify(entry.labels)) ?? 0;
      // A counter that went down was reset (restart): its whole value is the increase.
      total += entry.value >= then ? entry.value - then : entry.value;
    }
    return total;
  }
}
