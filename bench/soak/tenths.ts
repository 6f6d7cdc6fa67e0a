/**
 * The soak's verdict: figures per tenth of the messages and whether the last
 * tenth is within 1.1× of the first (RSS and ACK p99 may not rise by more,
 * the drain rate may not fall by more) and the journal stopped growing.
 */
import { percentile } from '../lib/stats.js';

export interface Sample {
  at: number;
  connectorRssMb: number;
  relayRssMb: number;
  journalBytes: number;
  relayJournalBytes: number;
  /** MLLP messages answered by then. */
  acked: number;
}

export interface Tenth {
  tenth: number;
  seconds: number;
  /** MLLP messages answered per second in this tenth. */
  ingestPerSecond: number;
  ackP99Ms: number;
  /** Referrals arriving at the sink per second in this tenth. */
  drainPerSecond: number;
  /** Median of the 1 s samples in this tenth. */
  connectorRssMb: number;
  connectorRssMaxMb: number;
  journalMaxMb: number;
  /**
   * Journal bytes per message answered within the retention window before
   * the sample (median): retention keeps rows for a time, so the file follows
   * the rate; per message kept it must stay flat, or pruning is not keeping up.
   */
  journalBytesPerKept: number;
  relayIntakeP99Ms: number;
  relayRssMb: number;
  relayJournalMaxMb: number;
}

const median = (values: number[]): number => percentile(values, 50);

export function tenthsOf(input: {
  /** performance.now() when the MLLP answers reached 0, 10 %, … 100 %. */
  marks: readonly number[];
  latencyMs: Float32Array;
  arrivedBy: (at: number) => number;
  samples: readonly Sample[];
  relayLatencyMs: Float32Array;
  relaySentAtProgress: Float32Array;
  /** Rows retention plus its interval, ms: how long a finished message's row can stay. */
  windowMs: number;
}): Tenth[] {
  const ackedAt = (at: number): number => {
    let acked = 0;
    for (const s of input.samples) if (s.at <= at) acked = s.acked;
    return acked;
  };
  const total = input.latencyMs.length;
  const rows: Tenth[] = [];
  for (let d = 0; d < 10; d += 1) {
    const from = input.marks[d]!;
    const to = input.marks[d + 1]!;
    const seconds = (to - from) / 1000;
    const first = Math.floor((d * total) / 10);
    const last = Math.floor(((d + 1) * total) / 10);
    const inWindow = input.samples.filter((s) => s.at >= from && s.at <= to);
    const samples = inWindow.length > 0 ? inWindow : input.samples.filter((s) => s.at <= to).slice(-1);
    const relay: number[] = [];
    for (let k = 0; k < input.relayLatencyMs.length; k += 1) {
      const p = input.relaySentAtProgress[k]!;
      if (p >= d / 10 && p < (d + 1) / 10 && Number.isFinite(input.relayLatencyMs[k]!)) relay.push(input.relayLatencyMs[k]!);
    }
    rows.push({
      tenth: d + 1,
      seconds,
      ingestPerSecond: (last - first) / seconds,
      ackP99Ms: percentile(input.latencyMs.subarray(first, last), 99),
      drainPerSecond: (input.arrivedBy(to) - input.arrivedBy(from)) / seconds,
      connectorRssMb: median(samples.map((s) => s.connectorRssMb)),
      connectorRssMaxMb: Math.max(...samples.map((s) => s.connectorRssMb)),
      journalMaxMb: Math.max(...samples.map((s) => s.journalBytes)) / 2 ** 20,
      journalBytesPerKept: median(samples.map((s) => s.journalBytes / Math.max(1, s.acked - ackedAt(s.at - input.windowMs)))),
      relayIntakeP99Ms: percentile(relay, 99),
      relayRssMb: median(samples.map((s) => s.relayRssMb)),
      relayJournalMaxMb: Math.max(...samples.map((s) => s.relayJournalBytes)) / 2 ** 20,
    });
  }
  return rows;
}

export interface Check {
  what: string;
  first: number;
  last: number;
  ratio: number;
  /** Pass when `ratio ≤ limit`. */
  limit: number;
  ok: boolean;
}

/** Last tenth against the first (the journal: per message kept, against the middle, once retention runs). */
export function checksOf(rows: readonly Tenth[]): Check[] {
  const first = rows[0]!;
  const middle = rows[4]!;
  const last = rows.at(-1)!;
  const check = (what: string, a: number, b: number, ratio: number): Check => ({ what, first: a, last: b, ratio, limit: 1.1, ok: Number.isFinite(ratio) && ratio <= 1.1 });
  return [
    check('connector RSS (median)', first.connectorRssMb, last.connectorRssMb, last.connectorRssMb / first.connectorRssMb),
    check('ACK p99', first.ackP99Ms, last.ackP99Ms, last.ackP99Ms / first.ackP99Ms),
    // A drain that slows is the failure: first / last.
    check('drain rate (first / last)', first.drainPerSecond, last.drainPerSecond, first.drainPerSecond / last.drainPerSecond),
    check('journal bytes per message kept (last / 5th tenth)', middle.journalBytesPerKept, last.journalBytesPerKept, last.journalBytesPerKept / middle.journalBytesPerKept),
  ];
}
