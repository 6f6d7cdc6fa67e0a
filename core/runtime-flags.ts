import { setFlagsFromString } from 'node:v8';

/**
 * The Node.js flags every long-running CaraLoom process starts with (#16 aim
 * 3). V8 sizes its young generation once, when the process starts — a flag
 * set later (`v8.setFlagsFromString`) is read but never applied — so these
 * live on the command line: the release's `bin/caraloom` wrapper, the
 * `#!` line of `bin/caraloom.js`, `npm start`, and the bench's children
 * (test/ops/runtime-flags.ts keeps all four equal to this list).
 *
 * `--max-semi-space-size=4`: under a stream of messages the young
 * generation grows to 3 × 16 MB by default, most of it garbage by the next
 * scavenge; 4 MB semi-spaces cut the connector's peak RSS under a backlog
 * (205 → 165 MB with the SQLite page-cache change) with no ingest
 * difference outside the build machine's noise over three alternated runs.
 * 2 MB cut more but looked slower on 8 connections (docs/performance.md,
 * aim 3).
 */
export const serviceNodeFlags: readonly string[] = ['--max-semi-space-size=4'];

/**
 * V8 flags a service sets on itself when it is created: V8 reads these when
 * the code they govern runs, so setting them before then takes effect, and
 * a V8 that does not know one prints a line and goes on (a launch flag it
 * does not know stops the process).
 *
 * `--liftoff-only`: undici parses HTTP with llhttp compiled to WebAssembly.
 * At the first request V8 compiles llhttp's parser, one very large function,
 * with TurboFan on background threads: about 35 MB of compiler memory for a
 * fraction of a second, and ~8 MB of code kept. That transient was most of
 * the connector's peak RSS under a backlog (the drain's first request, 121 →
 * 161 MB). Liftoff, V8's baseline WebAssembly compiler, compiles it in one
 * pass with neither; HTTP parsing is ~1 % of a delivery's CPU (profiles in
 * docs/performance.md, aim 3). Only WebAssembly is affected.
 */
export const serviceV8Flags: readonly string[] = ['--liftoff-only'];

/** Process-wide and idempotent: every service factory calls it. */
export function applyServiceV8Flags(): void {
  for (const flag of serviceV8Flags) setFlagsFromString(flag);
}
