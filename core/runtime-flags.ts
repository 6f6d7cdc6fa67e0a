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
