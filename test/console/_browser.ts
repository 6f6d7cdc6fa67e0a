/**
 * Real headless Chromium (Debian's package) driven by playwright-core, one
 * fresh profile per test. Every page records dialogs, console errors and
 * uncaught page errors, so a test can prove that no script ran.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from '../helpers/temp.js';
import { passwords } from './_harness.js';

export interface Watched {
  page: Page;
  context: BrowserContext;
  dialogs: string[];
  errors: string[];
}

export async function openBrowser(t: ExecutionContext): Promise<Watched> {
  const context = await chromium.launchPersistentContext(tempDir(t, 'caraloom-chromium-'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  t.teardown(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  const watched: Watched = { page, context, dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    watched.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') watched.errors.push(message.text());
  });
  page.on('pageerror', (error) => watched.errors.push(error.message));
  return watched;
}

export async function logIn(page: Page, base: string, user: keyof typeof passwords): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(passwords[user]);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${base}/`);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical axe-core violations on the current page (axe is evaluated through DevTools, so the page's CSP stays as it is). */
export async function axeViolations(page: Page): Promise<Array<{ id: string; impact: string; nodes: string[] }>> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ html: string }> }> }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.map((node) => node.html) }));
}

/** Screenshots for docs/console.md, written when CARALOOM_SCREENSHOTS=1 (the docs are refreshed on purpose, not by every run). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CARALOOM_SCREENSHOTS !== '1') return;
  const dir = path.resolve('docs/console');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
