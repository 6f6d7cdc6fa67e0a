import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import type { ExecutionContext } from 'ava';

export interface InstanceProcess<T> {
  /** What the child printed once it listened. */
  info: T;
  /** Move the child's clock forward (past a dead instance's leases) and wake its workers. */
  advance(ms: number): Promise<void>;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
}

/**
 * Starts `test/helpers/<script>` (connector-instance.ts, relay-instance.ts)
 * as a child process with JSON args; killed when the test ends, and it exits
 * by itself if this process dies (its stdin closes).
 */
export async function startInstance<T>(t: ExecutionContext, script: string, args: unknown): Promise<InstanceProcess<T>> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/helpers', script), JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  t.teardown(kill);
  const lines = readline.createInterface({ input: child.stdout });
  const [first] = (await Promise.race([once(lines, 'line'), exited.then(() => [undefined])])) as [string | undefined];
  if (first === undefined) throw new Error(`${script} exited before it listened`);
  return {
    info: JSON.parse(first) as T,
    kill,
    async advance(ms) {
      child.stdin.write(`advance ${ms}\n`);
      await once(lines, 'line');
    },
  };
}
