// The whole loop in two browsers at once, as it happens in a business: a visitor writes
// through the widget on the business's own site (a second origin), the AI answers, the
// conversation appears in the staff inbox within 5 seconds with that answer, an agent
// replies from the inbox, and the visitor sees the agent's reply in the widget.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, startStack } from './harness.mjs';

const QUESTION = 'Hello, our water heater is making a banging noise. Could someone look at it this week?';
const AGENT = 'Hi Jamie, Ada here from the office. I can send a technician Thursday morning.';

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

async function collectProblems(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

test('a widget chat reaches the inbox with the AI reply, and the agent’s answer reaches the widget', async () => {
  // Staff first: signed in and watching the inbox before the visitor writes.
  const staff = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const desk = await staff.newPage();
  const deskProblems = await collectProblems(desk);
  await desk.goto(`${stack.api}/`);
  await desk.getByLabel('E-mail').fill(stack.admin.email);
  await desk.getByLabel('Password').fill(stack.admin.password);
  await desk.getByRole('button', { name: 'Sign in' }).click();
  await desk.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
  await desk.getByRole('link', { name: 'Inbox', exact: true }).click();
  await desk.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();

  // The visitor, on the business's site.
  const visitor = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const site = await visitor.newPage();
  const siteProblems = await collectProblems(site);
  await site.goto(`${stack.demo}/`);
  await site.getByRole('button', { name: 'Open chat: Acme Plumbing' }).click();
  const widget = site.getByRole('dialog', { name: 'Acme Plumbing' });
  await widget.getByLabel('Your name').fill('Jamie Rivera');
  await widget.getByLabel('E-mail').fill(`jamie-${Date.now()}@example.com`);
  await widget.getByRole('button', { name: 'Start chat' }).click();
  const box = widget.getByRole('textbox', { name: 'Message' });
  await box.fill(QUESTION);
  const sentAt = Date.now();
  await box.press('Enter');
  const aiReply = widget.locator('.msg.out').first();
  await aiReply.waitFor({ timeout: 15_000 });
  const aiText = (await aiReply.locator('.text').textContent()).trim();
  assert.ok(aiText.length > 0, 'the widget shows the AI reply');

  // The inbox polls: the new conversation shows up, with the AI's answer in its thread,
  // within 5 seconds of the visitor pressing Enter.
  const row = desk.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: /^Jamie Rivera/ });
  await row.waitFor({ timeout: Math.max(500, 5_000 - (Date.now() - sentAt)) });
  const seenAfter = Date.now() - sentAt;
  assert.ok(seenAfter <= 5_000, `in the inbox after ${seenAfter} ms`);
  await row.click();
  const thread = desk.getByRole('list', { name: 'Messages' });
  await thread.getByRole('listitem', { name: /^Jamie Rivera, received by Chat/ }).waitFor();
  await thread.getByRole('listitem', { name: /^AI, sent by Chat/ }).filter({ hasText: aiText.slice(0, 40) }).waitFor();

  // The agent answers on the customer's channel.
  await desk.getByLabel('Send by').selectOption('chat');
  await desk.getByRole('textbox', { name: 'Reply', exact: true }).fill(AGENT);
  await desk.getByRole('button', { name: 'Send reply' }).click();
  await thread.getByRole('listitem', { name: /^Ada Admin, sent by Chat/ }).filter({ hasText: AGENT.slice(0, 30) }).waitFor();

  // The widget polls too: the agent's words arrive, marked as a person's.
  const staffReply = widget.locator('.msg.out', { hasText: AGENT.slice(0, 30) });
  await staffReply.waitFor({ timeout: 15_000 });
  assert.match(await staffReply.textContent(), /Ada Admin/);

  // And the API agrees on who said what, once each.
  const token = await site.evaluate(
    (key) => JSON.parse(localStorage.getItem(key)).token,
    `leadflow-widget:v1:${stack.api}`,
  );
  const r = await fetch(`${stack.api}/api/messages/chat?token=${token}&limit=50`);
  const items = (await r.json()).items;
  assert.deepEqual(
    items.map((m) => m.author.kind).reverse(),
    ['customer', 'ai', 'staff'],
    JSON.stringify(items.map((m) => [m.direction, m.author, m.content])),
  );
  assert.deepEqual(deskProblems, []);
  assert.deepEqual(siteProblems, []);
  await staff.close();
  await visitor.close();
});
