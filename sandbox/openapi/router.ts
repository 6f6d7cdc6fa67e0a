import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import Router from '@koa/router';
import type { SandboxDeps, SandboxState } from '../deps.js';
import { softwareVersion } from '../fhir/version.js';
import { openApiDocument } from './document.js';
import { docsPage } from './docs-page.js';

/**
 * `GET /v1/openapi.json` and the explorer at `/v1/docs`: Swagger UI served
 * from the installed `swagger-ui-dist` (no CDN: hospital networks often block
 * them, and the sandbox must work offline). Public, like the page it mirrors.
 */

const require = createRequire(import.meta.url);

/** Only these files of swagger-ui-dist are served: a fixed list, so no path can walk out of the package. */
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
  'oauth2-redirect.html': 'text/html; charset=utf-8',
};

export function createOpenApiRouter(_deps: SandboxDeps): Router<SandboxState> {
  const router = new Router<SandboxState>({ prefix: '/v1' });
  const distDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();

  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = openApiDocument({ serverUrl: `${ctx.protocol}://${ctx.host}`, version: softwareVersion });
  });

  // @koa/router matches `/docs` with or without the trailing slash: one handler tells them apart.
  router.get('/docs', (ctx) => {
    // The page's relative asset URLs need the trailing slash.
    if (!ctx.path.endsWith('/')) return ctx.redirect('/v1/docs/');
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'");
    ctx.body = docsPage;
  });

  router.get('/docs/docs-init.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    tryItOutEnabled: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout'
  });
};
`;
  });

  router.get('/docs/:file', async (ctx, next) => {
    const file = ctx.params.file!;
    const type = assets[file];
    if (type === undefined) return next();
    let bytes = cache.get(file);
    if (bytes === undefined) {
      bytes = await readFile(path.join(distDir, file));
      cache.set(file, bytes);
    }
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = bytes;
  });

  return router;
}
