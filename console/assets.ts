import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Router from '@koa/router';

/**
 * The console's static files, read once at start: its stylesheet, the
 * playground's file loader and htmx from node_modules — nothing from a CDN, so it works air-gapped.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

function publicFile(name: string): string {
  // Next to this file when run from source; the compiled copy in dist/ reads the source folder's.
  for (const candidate of [path.join(here, 'public', name), path.join(here, '..', '..', 'console', 'public', name)]) {
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
  }
  throw new Error(`console/public/${name} not found`);
}

export function addAssetRoutes(router: Router): void {
  const css = publicFile('console.css');
  const playground = publicFile('playground.js');
  const htmx = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');
  router.get('/assets/console.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = css;
  });
  router.get('/assets/playground.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = playground;
  });
  router.get('/assets/htmx.min.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = htmx;
  });
}
