import type { Context, Next } from 'koa';

/**
 * Headers on every console answer. The CSP allows nothing inline — no
 * script, no style, no event-handler attributes — so markup that slipped past
 * escaping still cannot run; only files from the console itself load.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set('Content-Security-Policy', contentSecurityPolicy);
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
  // Over TLS, browsers keep to HTTPS for this host from then on (no preload: a hospital host name is not public).
  if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000');
  await next();
  // Pages may hold patient data (phi role): never kept by browsers or proxies.
  if (!ctx.path.startsWith('/assets/')) ctx.set('Cache-Control', 'no-store');
}
