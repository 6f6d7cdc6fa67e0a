/**
 * How `caraloom reload` finds a running service on this machine and hears
 * back from it: the service writes `<data>/<name>.pid` at start (0600,
 * removed at stop) and, after each SIGHUP, `<data>/<name>.reload.json` with
 * the result. A signal cannot carry an answer; this file does. The pid file
 * also holds the process's start time, so a pid the system gave to another
 * program after a crash is never signalled.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ReloadResult } from '../core/reload.js';

/** What `caraloom connector`, `relay` and `up` write: their command name. */
export const reloadableServices = ['connector', 'relay', 'up'] as const;
export type ServiceName = (typeof reloadableServices)[number];

export interface PidRecord {
  pid: number;
  service: string;
  /** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); null where there is no /proc. */
  started: string | null;
}

export interface ReloadRecord {
  pid: number;
  /** 1, 2, 3… per process: the CLI waits for a number higher than the one it saw before signalling. */
  seq: number;
  at: string;
  result: ReloadResult;
}

export const pidFile = (dataDir: string, service: string): string => path.join(dataDir, `${service}.pid`);
export const reloadFile = (dataDir: string, service: string): string => path.join(dataDir, `${service}.reload.json`);

/** Start time of a process from /proc (Linux); null elsewhere or when it is gone. */
export function processStarted(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Written whole or not at all (temporary file, then rename), mode 0600. */
function writePrivate(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, file);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes this process's pid file; the returned function removes it (only while it is still ours). */
export function writePidFile(dataDir: string, service: string): () => void {
  const file = pidFile(dataDir, service);
  const record: PidRecord = { pid: process.pid, service, started: processStarted(process.pid) };
  writePrivate(file, `${JSON.stringify(record)}\n`);
  return () => {
    if (readJson<PidRecord>(file)?.pid === process.pid) rmSync(file, { force: true });
  };
}

export const readPidFile = (dataDir: string, service: string): PidRecord | undefined => readJson<PidRecord>(pidFile(dataDir, service));

/** Whether the pid file names a process that is alive and is the one that wrote it. */
export function isAlive(record: PidRecord): boolean {
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's (the CLI run as the wrong user): say so when signalling.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return record.started === null || processStarted(record.pid) === null || processStarted(record.pid) === record.started;
}

export function writeReloadRecord(dataDir: string, service: string, record: ReloadRecord): void {
  writePrivate(reloadFile(dataDir, service), `${JSON.stringify(record)}\n`);
}

export const readReloadRecord = (dataDir: string, service: string): ReloadRecord | undefined => readJson<ReloadRecord>(reloadFile(dataDir, service));
