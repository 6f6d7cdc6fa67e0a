/**
 * Run a service as a child process (bench/children/NAME.mjs): its memory is
 * its own and it can be SIGKILLed. The child prints one JSON line when it
 * listens; `start` resolves with it. With CARALOOM_BENCH_BUILD set (a folder
 * holding the compiled product, see build.ts) the child runs plain compiled
 * JavaScript, as production does; otherwise the sources under tsx (whose
 * loader adds ~45 MB of RSS and start-up time, fine for tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceNodeFlags } from '../../core/runtime-flags.js';

export interface Child<T> {
  proc: ChildProcess;
  info: T;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful) and wait for the exit; SIGKILL if it has not exited after `graceMs` (default 15 s). */
  stop(graceMs?: number): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The flags production starts with (core/runtime-flags.ts), so a child's
 * memory is what a hospital's process would use; BENCH_NODE_ARGS replaces
 * them to measure another launch setting (`BENCH_NODE_ARGS=' '` for V8's
 * defaults).
 */
export function launchFlags(): string[] {
  const override = process.env.BENCH_NODE_ARGS;
  return override === undefined ? [...serviceNodeFlags] : override.split(' ').filter((arg) => arg !== '');
}

/** `name` is a file in bench/children/ without extension. */
export async function startChild<T>(name: string, args: unknown, options: { nodeArgs?: string[]; timeoutMs?: number } = {}): Promise<Child<T>> {
  const script = path.join(here, '..', 'children', `${name}.mjs`);
  const build = process.env.CARALOOM_BENCH_BUILD;
  const loader = build === undefined || build === '' ? ['--import', 'tsx'] : [];
  const root = build === undefined || build === '' ? path.join(here, '..', '..') : path.resolve(build);
  const proc = spawn(process.execPath, [...launchFlags(), ...(options.nodeArgs ?? []), ...loader, script, JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CARALOOM_ROOT: root },
  });
  let stderr = '';
  proc.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const info = await new Promise<T>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in time: ${stderr}`)), options.timeoutMs ?? 30_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(out.slice(0, newline)) as T);
        } catch (error) {
          reject(error as Error);
        }
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it listened: ${stderr}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  const stop = async (graceMs = 15_000) => {
    // A service too busy to finish its graceful stop must not hang the harness.
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await end('SIGTERM');
    clearTimeout(timer);
  };
  return { proc, info, kill: () => end('SIGKILL'), stop };
}

/** Port of an `mllp://host:port` or `http://host:port` URL. */
export const portOf = (url: string): number => Number(new URL(url.replace(/^mllps?:/, 'http:')).port);
