// Child process: the relay's baseline — a bare koa handler that reads the raw
// body, verifies X-CaraLoom-Signature and answers 200, storing nothing.
// argv[2] is JSON {secret}; prints {url, pid}.
import Koa from 'koa';

const root = process.env.CARALOOM_ROOT;
const { readRawBody } = await import(`${root}/core/http/raw-body.js`);
const { listenHttp } = await import(`${root}/core/http/listen.js`);
const { verifyCaraloom } = await import(`${root}/core/signature.js`);

const { secret } = JSON.parse(process.argv[2]);
const app = new Koa();
app.use(async (ctx) => {
  const raw = await readRawBody(ctx.req, 256 * 1024);
  if (!verifyCaraloom([secret], raw, ctx.get('x-caraloom-signature'))) {
    ctx.status = 401;
    ctx.body = { error: { code: 'SIGNATURE_INVALID' } };
    return;
  }
  ctx.body = { received: true };
});
const listener = await listenHttp(app.callback(), '127.0.0.1', 0);
process.stdout.write(`${JSON.stringify({ url: listener.url, pid: process.pid })}\n`);
process.once('SIGTERM', () => void listener.close().then(() => process.exit(0)));
