import type { ExecutionContext } from 'ava';
import Koa from 'koa';
import { listenHttp } from '../../core/http/listen.js';

export interface ProxyOptions {
  /** Hold every answer this long before passing it on (a slow link). @default 0 */
  delayMs?: number;
  /**
   * Called with each forwarded request's method and the far side's answer;
   * return an answer to send instead (e.g. a 503 after the API already acted:
   * a lost answer).
   */
  replace?: (method: string, answer: { status: number; body: Buffer }) => { status: number; body: unknown } | undefined;
}

/**
 * A real HTTP hop between a connector and the API (the sandbox): forwards
 * every request with the headers that matter, and can slow or replace
 * answers. Closed when the test ends. Returns its URL.
 */
export async function startApiProxy(t: ExecutionContext, target: string, options: ProxyOptions = {}): Promise<string> {
  const app = new Koa();
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type', 'idempotency-key', 'accept', 'prefer']) if (ctx.get(name) !== '') headers[name] = ctx.get(name);
    const answer = await fetch(`${target}${ctx.url}`, { method: ctx.method, headers, body: ctx.method === 'GET' ? undefined : Buffer.concat(chunks) });
    const body = Buffer.from(await answer.arrayBuffer());
    if ((options.delayMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const replaced = options.replace?.(ctx.method, { status: answer.status, body });
    if (replaced !== undefined) {
      ctx.status = replaced.status;
      ctx.body = replaced.body;
      return;
    }
    ctx.status = answer.status;
    ctx.set('content-type', answer.headers.get('content-type') ?? 'application/json');
    for (const name of ['location', 'content-location', 'retry-after', 'idempotent-replayed']) {
      const value = answer.headers.get(name);
      if (value !== null) ctx.set(name, value);
    }
    ctx.body = body;
  });
  const listener = await listenHttp(app.callback(), '127.0.0.1', 0);
  t.teardown(() => listener.close(0));
  return listener.url;
}
