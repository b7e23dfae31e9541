// The chat widget in a real browser against a real server: the demo page (a business's
// site on its own origin) loads web/dist/widget.js, which talks to `leadflow serve` through
// CORS. Run: npm run e2e:widget (needs DATABASE_URL, MONGODB_URI and the leadflow binary).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { chromiumArgs, chromiumPath, startStack, webDir } from './harness.mjs';

const QUESTION = 'Hi, my kitchen sink is leaking, can someone come tomorrow?';
const screenshot = path.resolve(webDir, '..', 'docs/screenshots/widget.png');

let stack;
let browser;

before(async () => {
  stack = await startStack();
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function newPage(viewport = { width: 1280, height: 820 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|net::ERR_|status of 503/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return { context, page, problems };
}

/** The widget's stored session (namespaced by the API origin). */
async function session(page) {
  return page.evaluate((key) => JSON.parse(localStorage.getItem(key) || 'null'), `leadflow-widget:v1:${stack.api}`);
}

async function chat(token) {
  const r = await fetch(`${stack.api}/api/messages/chat?token=${token}&limit=50`);
  assert.equal(r.status, 200);
  return (await r.json()).items;
}

async function startChat(page, { name = 'Lee Visitor', email } = {}) {
  await page.goto(`${stack.demo}/`);
  await page.getByRole('button', { name: 'Open chat: Acme Plumbing' }).click();
  const dialog = page.getByRole('dialog', { name: 'Acme Plumbing' });
  await dialog.waitFor();
  await dialog.getByLabel('Your name').fill(name);
  await dialog.getByLabel('E-mail').fill(email ?? `visitor-${Date.now()}-${Math.random().toString(16).slice(2)}@example.com`);
  await dialog.getByRole('button', { name: 'Start chat' }).click();
  return dialog;
}

async function send(dialog, text) {
  const box = dialog.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

describe('chat widget', () => {
  test('a visitor asks, the AI answers, and a reload restores the conversation', async () => {
    const { context, page, problems } = await newPage();
    const dialog = await startChat(page);
    await send(dialog, QUESTION);
    await dialog.locator('.msg.in .text', { hasText: QUESTION }).waitFor();
    const reply = dialog.locator('.msg.out').first();
    await reply.waitFor({ timeout: 30_000 });
    const replyText = (await reply.locator('.text').textContent()).trim();
    assert.ok(replyText.length > 0, 'an AI reply');
    assert.equal(await dialog.locator('.typing').isVisible(), false);

    await mkdir(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });

    const s = await session(page);
    assert.match(s.token, /^[A-Za-z0-9_-]{64}$/);
    assert.deepEqual(s.queue, []);
    const items = await chat(s.token);
    assert.equal(items.filter((m) => m.direction === 'inbound' && m.content === QUESTION).length, 1);

    await page.reload();
    const again = page.getByRole('dialog', { name: 'Acme Plumbing' });
    await again.locator('.msg.out .text', { hasText: replyText.slice(0, 30) }).waitFor();
    await again.locator('.msg.in .text', { hasText: QUESTION }).waitFor();
    assert.equal(await again.locator('.msg.in').count(), 1);
    assert.equal(await again.getByLabel('Your name').isVisible(), false, 'the contact is remembered');

    // Escape closes and gives focus back to the bubble.
    await again.getByRole('textbox', { name: 'Message' }).focus();
    await page.keyboard.press('Escape');
    assert.equal(await again.isVisible(), false);
    assert.equal(
      await page.evaluate(() => document.querySelector('leadflow-widget').shadowRoot.activeElement?.getAttribute('aria-label')),
      'Open chat: Acme Plumbing',
    );
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the page’s CSS does not reach the widget, and the widget’s does not reach the page', async () => {
    const hostStyles = (page) =>
      page.evaluate(() => {
        const pick = (el) => {
          const cs = getComputedStyle(el);
          return ['color', 'background-color', 'font-family', 'font-size', 'border-top-style', 'padding-top', 'margin-top', 'box-sizing', 'display'].map(
            (p) => cs.getPropertyValue(p),
          );
        };
        return ['body', 'h1', 'main p', '#call', '#nl-email', '.card', 'footer'].map((s) => pick(document.querySelector(s)));
      });
    // The page without the widget…
    const { context: bare, page: p0 } = await newPage();
    await p0.route('**/widget.js', (r) => r.abort());
    await p0.goto(`${stack.demo}/`);
    const without = await hostStyles(p0);
    await bare.close();

    // …and with it, open.
    const { context, page, problems } = await newPage();
    await page.goto(`${stack.demo}/`);
    const bubble = page.locator('leadflow-widget button.bubble');
    await page.getByRole('button', { name: 'Open chat: Acme Plumbing' }).click();
    await page.getByRole('dialog').waitFor();
    assert.deepEqual(await hostStyles(page), without, 'host page styles unchanged by the widget');
    assert.equal(await page.evaluate(() => Object.keys(window).filter((k) => /leadflow/i.test(k)).join()), 'LeadflowWidget');
    assert.equal(await page.evaluate(() => document.querySelectorAll('head style, head link').length), 1, 'only the page’s own <style>');

    const style = (loc, props) => loc.evaluate((el, props) => Object.fromEntries(props.map((p) => [p, getComputedStyle(el).getPropertyValue(p)])), props);
    const b = await style(bubble, ['background-color', 'color', 'border-top-style', 'padding-top', 'text-transform', 'border-radius', 'width']);
    assert.equal(b['background-color'], 'rgb(15, 118, 110)', 'data-color, not the page’s button pink');
    assert.equal(b['border-top-style'], 'none');
    assert.equal(b['padding-top'], '0px');
    assert.equal(b['text-transform'], 'none');
    assert.equal(b.width, '60px');
    assert.equal((await style(bubble.locator('svg'), ['display'])).display, 'block', 'page hides svg; ours shows');
    const dialog = page.getByRole('dialog');
    assert.equal((await style(dialog, ['display'])).display, 'flex', 'page hides [role=dialog] !important; ours shows');
    const input = dialog.getByLabel('Your name');
    const i = await style(input, ['border-top-color', 'background-color', 'font-size', 'font-family', 'box-sizing']);
    assert.equal(i['border-top-color'], 'rgb(107, 114, 128)');
    assert.equal(i['background-color'], 'rgb(255, 255, 255)');
    assert.equal(i['font-size'], '15px');
    assert.equal(i['box-sizing'], 'border-box');
    assert.doesNotMatch(i['font-family'], /Georgia/);
    const t = await style(dialog.locator('h2'), ['font-family', 'letter-spacing', 'text-shadow', 'color']);
    assert.doesNotMatch(t['font-family'], /Georgia/);
    assert.equal(t['text-shadow'], 'none');
    assert.equal(t['letter-spacing'], 'normal');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('with the API down the message waits, says so, and is delivered exactly once when it is back', async () => {
    const { context, page, problems } = await newPage();
    const dialog = await startChat(page);
    const text = `Is anyone there? ${Date.now()}`;

    // The first attempt reaches the server (which stores it) but its answer is lost;
    // then the API is unreachable, then answers 503 with Retry-After.
    let attempts = 0;
    const cors = { 'access-control-allow-origin': stack.demo, 'access-control-expose-headers': 'retry-after', 'content-type': 'application/json' };
    await page.route('**/api/messages/receive', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      attempts += 1;
      if (attempts === 1) {
        await route.fetch();
        return route.abort('connectionreset');
      }
      if (attempts === 2) return route.abort('connectionrefused');
      return route.fulfill({
        status: 503,
        headers: { ...cors, 'retry-after': '1' },
        body: JSON.stringify({ error: { code: 'service_unavailable', message: 'down for a moment' } }),
      });
    });
    await send(dialog, text);
    const pending = dialog.locator('.msg.pending', { hasText: text });
    await pending.waitFor();
    const bar = dialog.locator('.bar');
    await bar.getByText('Can’t reach us').waitFor();
    assert.ok(await bar.getByRole('button', { name: 'Retry now' }).isVisible());
    assert.deepEqual((await session(page)).queue.map((q) => q.content), [text], 'kept in localStorage until accepted');
    // Wait for a few 503s, then a reload in the middle of it: nothing typed is lost.
    while (attempts < 4) await page.waitForTimeout(200);
    await page.reload();
    const reopened = page.getByRole('dialog', { name: 'Acme Plumbing' });
    await reopened.locator('.msg.pending', { hasText: text }).waitFor();

    await page.unroute('**/api/messages/receive');
    await reopened.getByRole('button', { name: 'Retry now' }).click().catch(() => {}); // may already be sending
    await reopened.locator('.msg.in:not(.pending)', { hasText: text }).waitFor({ timeout: 15_000 });
    await reopened.locator('.bar').waitFor({ state: 'hidden' });
    const s = await session(page);
    assert.deepEqual(s.queue, []);
    const items = await chat(s.token);
    assert.equal(items.filter((m) => m.direction === 'inbound' && m.content === text).length, 1, 'delivered exactly once');
    assert.ok(attempts >= 4);
    await reopened.locator('.msg.out').first().waitFor({ timeout: 30_000 });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('axe finds no serious or critical problems in the widget; phones get a full-screen panel', async () => {
    const { context, page } = await newPage({ width: 390, height: 760 });
    const dialog = await startChat(page);
    const check = async (when) => {
      const r = await new AxeBuilder({ page }).include('leadflow-widget').analyze();
      const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(bad.map((v) => `${when}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
    };
    await send(dialog, 'Do you do weekend appointments?');
    await dialog.locator('.msg.out').first().waitFor({ timeout: 30_000 });
    await check('conversation');
    const box = await dialog.boundingBox();
    assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 390, 760]);
    await page.getByRole('button', { name: 'Start over' }).click();
    await dialog.getByRole('group', { name: 'Start over' }).getByRole('button', { name: 'Start over' }).click();
    await dialog.getByLabel('Your name').waitFor();
    await dialog.getByRole('button', { name: 'Start chat' }).click();
    await dialog.getByText('Please enter your name.').waitFor();
    await check('contact form with errors');
    assert.equal((await session(page)).token, undefined);
    await context.close();
  });
});
