import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ExecutionContext } from 'ava';

/**
 * Runs a TypeScript fixture (`node --import tsx FILE ARGS…`) that prints
 * `ready PORT` once it listens; SIGKILLed when the test ends if still alive.
 */
export function spawnReady(t: ExecutionContext, file: string, args: readonly string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(file), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /ready (\d+)/.exec(buffered);
      if (match !== null) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${path.basename(file)} exited before it was ready (${code})`)));
  });
}

/** Resolves once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}
