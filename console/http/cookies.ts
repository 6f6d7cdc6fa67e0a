import type { Context } from 'koa';

export const sessionCookie = 'caraloom_console';
export const loginCsrfCookie = 'caraloom_login_csrf';

/**
 * Set-Cookie written by hand: HttpOnly and SameSite=Strict always, Secure
 * under TLS or when config says a TLS proxy sits in front (koa's own cookie
 * helper refuses Secure on a plain-HTTP hop, which is exactly that case).
 */
export function setCookie(ctx: Context, name: string, value: string, options: { secure: boolean; maxAgeSeconds?: number }): void {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (options.secure || ctx.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  ctx.append('Set-Cookie', parts.join('; '));
}

export function readCookie(ctx: Context, name: string): string | undefined {
  for (const part of (ctx.get('Cookie') ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
