/**
 * CPU time used, for "what limits it" lines: rates on a shared 2-core machine
 * move with the host, CPU per message much less. Linux /proc; undefined
 * elsewhere.
 */
import { readFileSync } from 'node:fs';

export interface CpuMs {
  /** User + system CPU of every thread of the process (event loop, libuv pool, V8 helpers, SQLite checkpoint thread). */
  all: number;
  /** The main thread alone: the event loop, where a Node service's work is serialised. */
  loop: number;
}

const ticksPerSecond = 100;

function readTicks(file: string): number | undefined {
  try {
    const fields = readFileSync(file, 'utf8').replace(/^.*\) /, '').split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

export function processCpuMs(pid: number): CpuMs | undefined {
  const all = readTicks(`/proc/${pid}/stat`);
  const loop = readTicks(`/proc/${pid}/task/${pid}/stat`);
  return all === undefined || loop === undefined ? undefined : { all, loop };
}

/** CPU per unit of work between two readings; undefined when either is missing or nothing was done. */
export function cpuPer(before: CpuMs | undefined, after: CpuMs | undefined, units: number): CpuMs | undefined {
  if (before === undefined || after === undefined || units <= 0) return undefined;
  return { all: (after.all - before.all) / units, loop: (after.loop - before.loop) / units };
}
