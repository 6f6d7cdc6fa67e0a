import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Router from '@koa/router';

/**
 * The console's two static files, read once at start: its stylesheet and
 * htmx from node_modules — nothing from a CDN, so it works air-gapped.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

function stylesheet(): string {
  // Next to this file when run from source; the compiled copy in dist/ reads the source folder's.
  for (const candidate of [path.join(here, 'public', 'console.css'), path.join(here, '..', '..', 'console', 'public', 'console.css')]) {
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
  }
  throw new Error('console/public/console.css not found');
}

export function addAssetRoutes(router: Router): void {
  const css = stylesheet();
  const htmx = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');
  router.get('/assets/console.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = css;
  });
  router.get('/assets/htmx.min.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = htmx;
  });
}
