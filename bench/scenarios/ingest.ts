/**
 * Scenario 1, MLLP ingest: the same ADT^A03 stream sent to (a) the bare
 * hl7v2 server, (b) node-hl7-server and (c) the connector (a child process
 * committing each message to SQLite, synchronous=FULL, before its AA, and
 * delivering to a local sink meanwhile), on 1 and on 8 connections.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adtBatch } from '../lib/adt.js';
import { startBareMllp, startNodeHl7Server, type Running } from '../lib/baselines.js';
import { portOf, startChild } from '../lib/child.js';
import { cpuPer, processCpuMs, type CpuMs } from '../lib/cpu.js';
import { startFarSide } from '../lib/far-side.js';
import { runLoad } from '../lib/mllp-load.js';
import { percentile } from '../lib/stats.js';

export interface IngestRow {
  server: string;
  connections: number;
  messages: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  notAA: number;
  /**
   * CPU per message sent. The connector's is its own process (all threads,
   * and the event loop alone). The in-process baselines' is the harness's,
   * so it holds the load client as well as the server: an upper bound on
   * the server's own.
   */
  cpuMs?: CpuMs & { of: 'process' | 'harness with its client' };
}

/** The harness's own CPU so far (every thread), in ms. */
function harnessCpuMs(): CpuMs {
  const { user, system } = process.cpuUsage();
  const all = (user + system) / 1000;
  return { all, loop: all };
}

async function measure(server: string, running: Running, messages: string[], connections: number, seconds: number): Promise<IngestRow> {
  const cpu = () => (running.pid === undefined ? harnessCpuMs() : processCpuMs(running.pid));
  const before = cpu();
  const result = await runLoad({ port: running.port, messages, connections, durationMs: seconds * 1000 });
  const per = cpuPer(before, cpu(), result.sent);
  return {
    server,
    connections,
    messages: result.sent,
    perSecond: (result.sent / result.elapsedMs) * 1000,
    p50Ms: percentile(result.latencyMs, 50),
    p99Ms: percentile(result.latencyMs, 99),
    notAA: result.codes.filter((code) => code !== '' && code !== 'AA').length,
    ...(per === undefined ? {} : { cpuMs: { ...per, of: running.pid === undefined ? 'harness with its client' : 'process' } }),
  };
}

export async function ingestScenario(count: number, seconds: number, log: (line: string) => void): Promise<IngestRow[]> {
  const rows: IngestRow[] = [];
  // Each (server, connections) pair gets its own control ids so duplicate detection never kicks in.
  const batch = (tag: string) => adtBatch(count, { controlPrefix: tag }).map((m) => m.text);
  const warm = adtBatch(300, { controlPrefix: 'W' }).map((m) => m.text);
  const run = async (server: string, start: () => Promise<Running>) => {
    const running = await start();
    try {
      await runLoad({ port: running.port, messages: warm, connections: 2 });
      for (const connections of [1, 8]) {
        const row = await measure(server, running, batch(`${server[1]}${connections}-`), connections, seconds);
        log(`  ${server} ${connections} conn: ${Math.round(row.perSecond)} msg/s, p50 ${row.p50Ms.toFixed(2)} ms, p99 ${row.p99Ms.toFixed(2)} ms, CPU ${row.cpuMs?.all.toFixed(3) ?? '?'} ms/msg (event loop ${row.cpuMs?.loop.toFixed(3) ?? '?'}; ${row.cpuMs?.of ?? '?'})`);
        rows.push(row);
      }
    } finally {
      await running.close();
    }
  };
  await run('(a) bare hl7v2', startBareMllp);
  await run('(b) node-hl7-server', startNodeHl7Server);
  const sink = await startFarSide();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'caraloom-bench-'));
  try {
    await run('(c) connector', async () => {
      // BENCH_INGEST_PROFILE=DIR: the connector child writes a V8 CPU profile there when it stops.
      const profile = process.env.BENCH_INGEST_PROFILE;
      const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`] : [];
      const child = await startChild<{ mllp: string }>('connector', { dataDir, apiUrl: sink.url, apiKey: 'bench-key-0123456789' }, { nodeArgs });
      return { port: portOf(child.info.mllp), pid: child.proc.pid, close: () => child.stop() };
    });
  } finally {
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}
