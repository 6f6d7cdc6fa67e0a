/**
 * A service started by the real CLI (`caraloom connector …`, `caraloom relay …`)
 * in a child process, as systemd would start it: the test learns its
 * addresses from the `NAME listening on URL` lines and talks to it over
 * sockets and signals only. SIGKILLed when the test ends if still alive.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';

const run = promisify(execFile);
const entry = path.resolve('test/helpers/cli-entry.ts');

export interface CliService {
  child: ChildProcess;
  /** Every `… listening on URL` address, in the order printed. */
  urls: string[];
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `caraloom ARGS…` and resolves once `listeners` addresses were printed. */
export function startCliService(t: ExecutionContext, args: readonly string[], listeners: number, env: NodeJS.ProcessEnv = {}): Promise<CliService> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { env: { ...process.env, CARALOOM_LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const urls = out.split('\n').flatMap((line) => /^\S+ listening on (\S+)$/.exec(line)?.[1] ?? []);
      if (urls.length >= listeners) {
        resolve({
          child,
          urls,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`caraloom ${args[0]} exited (${code}) before it listened`)));
  });
}

/** Runs `caraloom ARGS…` to the end: exit code and output. */
export async function caraloom(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', entry, ...args], { env: { ...process.env, CARALOOM_LOG_LEVEL: 'silent', ...env }, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
