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
 * at the same ingest rate. 2 MB cut more but promoted enough short-lived
 * objects to slow 8-connection ingest by a sixth (docs/performance.md, aim 3).
 */
export const serviceNodeFlags: readonly string[] = ['--max-semi-space-size=4'];
