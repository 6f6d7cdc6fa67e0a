import type { Reload } from './reload.js';

/** What a running service tells the CLI: one line per listener is printed from these. */
export interface Listener {
  /** `sandbox`, `connector`, `relay`. */
  service: string;
  /** `http://127.0.0.1:8080`, `mllp://127.0.0.1:2575`, `mllps://…`. */
  url: string;
}

/**
 * Every service is a factory returning `{ start, stop }`. `start` resolves once
 * every listener accepts connections; `stop` stops accepting, finishes
 * in-flight work, cancels every timer it made and closes its stores.
 */
export interface Service {
  start(): Promise<Listener[]>;
  stop(): Promise<void>;
  /** Re-read what can change without a restart (core/reload.ts); absent: SIGHUP changes nothing. */
  reload?: Reload;
}

export function formatListener(listener: Listener): string {
  return `${listener.service} listening on ${listener.url}`;
}
