import test from 'ava';
import { eventually } from '../helpers/eventually.js';
import { startApiStandIn } from '../helpers/connector.js';
import { axeViolations, logIn, openBrowser, screenshot } from './_browser.js';
import { sample, startConsole } from './_harness.js';

// One browser per test and several services each: keep them one at a time on a small machine.
const serial = test.serial;

serial('a discharge sent over mllp shows on the dashboard and in messages within 2 s, filters, and opens its timeline', async (t) => {
  const harness = await startConsole(t);
  const { page } = await openBrowser(t);
  await logIn(page, harness.url, 'operator');
  const delivered = page.locator('[data-count="delivered"]');
  t.is(await delivered.textContent(), '0');
  const sentAt = Date.now();
  t.is(await harness.send('adt-a03-home-health.hl7'), 'AA');
  // The dashboard polls itself (every 1 s here): no reload.
  await delivered.filter({ hasText: '1' }).waitFor({ timeout: 2_000 });
  t.log(`dashboard showed it delivered ${Date.now() - sentAt} ms after the ACK`);
  await screenshot(page, 'dashboard');

  await page.getByRole('link', { name: 'Messages' }).click();
  const row = page.locator('table.messages tbody tr', { hasText: 'RB20261120143012001' });
  await row.waitFor({ timeout: 2_000 });
  t.true(Date.now() - sentAt < 2_000 + 1_000, 'in Messages within the dashboard wait plus one page load');
  t.is(await row.locator('.status').textContent(), 'delivered');
  t.is(await row.locator('td').nth(10).textContent(), 'ref_1'); // after the operator's select box

  t.is(await harness.send('adt-a03-home-self-care.hl7'), 'AA'); // filtered: home without services
  await page.goto(`${harness.url}/messages`);
  t.is(await page.locator('table.messages tbody tr').count(), 2);
  await page.getByLabel('Status').selectOption('filtered');
  await page.getByRole('button', { name: 'Filter' }).click();
  t.regex(page.url(), /status=filtered/);
  t.is(await page.locator('table.messages tbody tr').count(), 1);
  t.is(await page.locator('table.messages tbody tr .status').textContent(), 'filtered');
  // The filter is the URL: opening it again shows the same list.
  await page.goto(`${harness.url}/messages?connector=main&controlId=RB20261120143012001`);
  t.is(await page.locator('table.messages tbody tr').count(), 1);
  await screenshot(page, 'messages');

  await page.getByRole('link', { name: /^\d+$/ }).first().click();
  const timeline = page.locator('ol.timeline');
  t.regex((await timeline.textContent()) ?? '', /Received.*over MLLP from 127\.0\.0\.1: ADT\^A03 control id RB20261120143012001, sending facility RIVERBEND/s);
  t.regex((await timeline.textContent()) ?? '', /ACK sent: AA/);
  t.regex((await timeline.textContent()) ?? '', /Attempt 1.*accepted \(HTTP 201\)/s);
  t.regex((await timeline.textContent()) ?? '', /Delivered.*referral ref_1/s);
  await screenshot(page, 'message-detail-operator');
});

serial('with the api down a message goes to dead letters, and a replay from the page delivers it once the api is back, audited', async (t) => {
  const harness = await startConsole(t);
  const { page } = await openBrowser(t);
  await logIn(page, harness.url, 'operator');
  const port = Number(new URL(harness.api.url).port);
  await harness.api.close();
  t.is(await harness.send('adt-a03-skilled-nursing.hl7'), 'AA');
  const dead = page.locator('[data-count="dead"]');
  await dead.filter({ hasText: '1' }).waitFor({ timeout: 5_000 });
  await dead.getByRole('link').click();
  t.regex(page.url(), /status=dead/);
  const row = page.locator('table.messages tbody tr');
  t.is(await row.count(), 1);
  t.regex((await row.locator('.error-text').textContent()) ?? '', /\S/, 'the last error is shown');
  await row.getByRole('link').first().click();
  t.regex((await page.locator('ol.timeline').textContent()) ?? '', /Dead letter/);
  await screenshot(page, 'message-dead');

  const api = await startApiStandIn(t, port);
  await page.getByRole('button', { name: 'Replay this message' }).click();
  t.regex((await page.getByRole('status').textContent()) ?? '', /Replayed/);
  await eventually(async () => {
    await page.reload();
    return (await page.locator('main .status').first().textContent()) === 'delivered';
  }, { timeoutMs: 5_000, what: 'the replayed message delivered' });
  t.is(api.requests.filter((request) => request.path === '/v1/discharge-referrals').length, 1);
  t.regex((await page.locator('ol.timeline').textContent()) ?? '', /Delivered.*referral ref_1/s);

  await page.getByRole('link', { name: 'Audit' }).click();
  const entry = page.locator('tbody tr', { hasText: 'replay' }).first();
  t.regex((await entry.textContent()) ?? '', /operator.*operator.*replay.*connector:main#\d+.*ok/s);
  await screenshot(page, 'audit');
});

serial('replaying every dead letter matching a filter confirms the count first', async (t) => {
  const harness = await startConsole(t);
  const { page } = await openBrowser(t);
  await logIn(page, harness.url, 'operator');
  await harness.api.close();
  for (const file of ['adt-a03-skilled-nursing.hl7', 'adt-a03-hospice-home.hl7']) t.is(await harness.send(file), 'AA');
  await page.locator('[data-count="dead"]').filter({ hasText: '2' }).waitFor({ timeout: 5_000 });
  await page.goto(`${harness.url}/messages?status=dead`);
  await page.getByRole('link', { name: /Replay every dead letter/ }).click();
  t.is(await page.locator('[data-count="replay"]').textContent(), '2');
  await screenshot(page, 'replay-dead-confirm');
  await page.getByRole('button', { name: 'Replay 2 message(s)' }).click();
  t.regex((await page.getByRole('status').textContent()) ?? '', /Replayed 2 of 2/);
});

serial('a viewer page holds no patient name, a phi page does and its view is audited', async (t) => {
  const harness = await startConsole(t);
  t.is(await harness.send('adt-a03-home-health.hl7'), 'AA');
  const patient = ['Delgado', 'Maria', 'MRN10048213', 'Shoal Creek', '19480312'];
  const viewer = await openBrowser(t);
  await logIn(viewer.page, harness.url, 'viewer');
  await viewer.page.goto(`${harness.url}/messages`);
  await viewer.page.locator('table.messages tbody tr').first().getByRole('link').first().click();
  const detailUrl = viewer.page.url();
  t.regex(await viewer.page.content(), /shown only to users with the phi role/);
  t.is(await viewer.page.getByRole('button', { name: 'Replay this message' }).count(), 0);
  for (const url of [`${harness.url}/`, `${harness.url}/messages`, viewer.page.url(), `${harness.url}/relay`]) {
    await viewer.page.goto(url);
    const markup = await viewer.page.content();
    for (const value of patient) t.false(markup.includes(value), `${value} in ${url}`);
  }

  const phi = await openBrowser(t);
  await logIn(phi.page, harness.url, 'phi');
  await phi.page.goto(detailUrl);
  const markup = await phi.page.content();
  t.true(markup.includes('Delgado^Maria^Elena'));
  t.is(await phi.page.locator('table.segment th', { hasText: 'PID-5' }).count(), 1);
  t.is(await phi.page.locator('table.segment th', { hasText: 'PV1-36' }).count(), 1);
  await screenshot(phi.page, 'message-detail-phi');
  await phi.page.goto(`${harness.url}/audit?action=view-content`);
  t.regex((await phi.page.locator('tbody tr').first().textContent()) ?? '', /phi.*view-content.*connector:main#\d+/s);
});

serial('a message carrying script in its fields renders as text and runs nothing in any page', async (t) => {
  const harness = await startConsole(t);
  t.is(await harness.send('adt-a03-hostile-name.hl7'), 'AA');
  const watched = await openBrowser(t);
  const { page } = watched;
  await logIn(page, harness.url, 'phi');
  await page.goto(`${harness.url}/messages`);
  await page.locator('table.messages tbody tr').first().getByRole('link').first().click();
  const field = page.locator('table.segment tr', { has: page.locator('th', { hasText: /^PID-5$/ }) }).locator('code');
  t.is(await field.textContent(), '<img src=x onerror=alert(1)>^"><script>alert(2)</script>^^^^L');
  t.is(await page.locator('main img').count(), 0);
  t.is(await page.locator('main script').count(), 0);
  t.true((await page.locator('pre.json').textContent())?.includes('<img src=x onerror=alert(1)>'));
  for (const url of [`${harness.url}/`, `${harness.url}/messages`, `${harness.url}/relay`, `${harness.url}/audit`]) await page.goto(url);
  await page.goBack();
  // The playground echoes the pasted text back into its box and shows it laid out by field.
  await page.goto(`${harness.url}/playground`);
  await page.getByLabel('Message or resource').fill(sample('adt-a03-hostile-name.hl7').toString('latin1').replace(/\r/g, '\n'));
  await page.getByRole('button', { name: 'Try it' }).click();
  await page.locator('[data-verdict]').waitFor();
  t.is(await page.locator('[data-verdict]').textContent(), 'request');
  t.true((await page.getByLabel('Message or resource').inputValue()).includes('<img src=x onerror=alert(1)>^"><script>alert(2)</script>'));
  t.true((await page.locator('pre.json').textContent())?.includes('<img src=x onerror=alert(1)>'));
  t.is(await page.locator('main img').count(), 0);
  t.is(await page.locator('main script').count(), 0);
  await screenshot(page, 'playground-hostile');
  t.deepEqual(watched.dialogs, []);
  t.deepEqual(watched.errors, []);
});

serial('every page has no serious or critical axe-core violations', async (t) => {
  const harness = await startConsole(t);
  const { page } = await openBrowser(t);
  await page.goto(`${harness.url}/login`);
  const pages: Record<string, unknown> = { login: await axeViolations(page) };
  await screenshot(page, 'login');
  await logIn(page, harness.url, 'phi');
  // One delivered and one dead letter, so every state's markup is scanned.
  t.is(await harness.send('adt-a03-home-health.hl7'), 'AA');
  await page.locator('[data-count="delivered"]').filter({ hasText: '1' }).waitFor({ timeout: 5_000 });
  await harness.api.close();
  t.is(await harness.send('adt-a03-skilled-nursing.hl7'), 'AA');
  await page.locator('[data-count="dead"]').filter({ hasText: '1' }).waitFor({ timeout: 5_000 });
  for (const path of ['/', '/messages', '/messages?status=dead', '/actions/replay-dead?connector=main', '/relay', '/audit', '/playground']) {
    await page.goto(`${harness.url}${path}`);
    pages[path] = await axeViolations(page);
    if (path === '/relay') await screenshot(page, 'relay');
  }
  await page.goto(`${harness.url}/messages`);
  await page.locator('table.messages tbody tr').first().getByRole('link').first().click();
  pages.detail = await axeViolations(page);
  await page.goto(`${harness.url}/playground`);
  await page.getByLabel('Message or resource').fill(sample('adt-a03-missing-diagnosis.hl7').toString('latin1'));
  await page.getByRole('button', { name: 'Try it' }).click();
  await page.locator('[data-verdict="AE"]').waitFor();
  pages['playground result'] = await axeViolations(page);
  for (const [name, violations] of Object.entries(pages)) t.deepEqual(violations, [], name);
});

serial('the playground loads a file chosen in the browser and shows what the connector would do, storing nothing', async (t) => {
  const harness = await startConsole(t);
  const watched = await openBrowser(t);
  const { page } = watched;
  await logIn(page, harness.url, 'phi');
  await page.getByRole('link', { name: 'Playground' }).click();
  await page.getByLabel(/Load a file/).setInputFiles({ name: 'a03.hl7', mimeType: 'text/plain', buffer: sample('adt-a03-home-health.hl7') });
  await eventually(async () => (await page.getByLabel('Message or resource').inputValue()).startsWith('MSH|'), { timeoutMs: 2_000, what: 'the file in the box' });
  await page.getByRole('button', { name: 'Try it' }).click();
  t.is(await page.locator('[data-verdict]').textContent(), 'request');
  t.is(await page.locator('[data-mapping]').textContent(), 'adt-a03-referral');
  t.regex((await page.locator('section.result').textContent()) ?? '', /POST \/v1\/discharge-referrals/);
  await screenshot(page, 'playground');
  await page.getByLabel('Message or resource').fill(sample('adt-a03-missing-diagnosis.hl7').toString('latin1'));
  await page.getByRole('button', { name: 'Try it' }).click();
  t.is(await page.locator('[data-verdict]').textContent(), 'AE');
  t.is(await page.locator('table', { has: page.locator('caption', { hasText: 'ERR segments' }) }).locator('tbody tr').count() > 0, true);
  await screenshot(page, 'playground-ae');
  await page.goto(`${harness.url}/messages`);
  t.regex((await page.locator('table.messages tbody').textContent()) ?? '', /No messages match/);
  t.is(harness.api.requests.length, 0);
  t.deepEqual(watched.errors, []);
});
