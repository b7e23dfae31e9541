// The dashboard against the real server: a fresh stack (harness.mjs), data seeded through
// the API with the stack's key, the pages driven in Debian's Chromium. Every page is
// checked with axe-core (serious or critical violations fail) and photographed into
// docs/screenshots/. Needs DATABASE_URL and MONGODB_URI, a built web/dist and
// target/debug/leadflow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { startStack, chromiumPath, chromiumArgs, webDir } from './harness.mjs';

const shots = path.resolve(webDir, '../docs/screenshots');
const DESKTOP = { width: 1280, height: 800 };

let stack;
let browser;
let page;
let base;
const seeded = {};

async function apiCall(method, route, body) {
  const res = await fetch(`${stack.api}${route}`, {
    method,
    headers: { 'x-api-key': stack.apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function eventually(fn, what, ms = 15_000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** axe-core on the page as it is; serious and critical violations fail the test. */
async function checkA11y(name) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`),
    [],
    `accessibility violations on ${name}`,
  );
}

async function shot(name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });
}

async function visit(route, heading) {
  await page.goto(`${base}${route}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.waitForLoadState('networkidle').catch(() => {});
}

before(async () => {
  assert.ok(existsSync(path.join(webDir, 'dist/index.html')), 'build the dashboard first (npm run build)');
  mkdirSync(shots, { recursive: true });
  stack = await startStack();
  base = stack.api; // the server serves web/dist itself (WEB_DIST_DIR) on the API's origin
  const home = await fetch(`${base}/`);
  assert.match(home.headers.get('content-type') ?? '', /text\/html/, 'leadflow serve does not serve the dashboard at /');

  // A business in a zone with DST, and a chat lead with its AI reply.
  const tz = await apiCall('PUT', '/api/settings', { time_zone: 'America/Chicago', business_name: 'Austin Plumbing' });
  assert.equal(tz.status, 200, JSON.stringify(tz.body));
  const r = await apiCall('POST', '/api/messages/receive', {
    channel: 'chat',
    content: 'Hi, do you do weekend appointments for a leaking water heater?',
    customer: { name: 'Lee Park', email: `lee.${Date.now()}@example.com` },
  });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  Object.assign(seeded, { customerId: r.body.customer_id, leadId: r.body.lead_id });
  await eventually(async () => {
    const m = await apiCall('GET', `/api/messages?customer_id=${seeded.customerId}&direction=outbound`);
    return m.body.items.length > 0;
  }, 'the AI reply');

  // A few more leads on both web channels, so the pages (and the README's screenshots)
  // show a board and an inbox as a business sees them.
  const others = [
    ['chat', 'Maria Gonzalez', 'Can I get a quote to replace two bathroom faucets? Budget is around $600, hoping for next week.'],
    ['form', 'Sam Okafor', 'Our office kitchen sink drains slowly. We are a 40-person company; please call to schedule.'],
    ['chat', 'Priya Shah', 'Is there a charge to come out and look at a running toilet?'],
    ['form', 'Tom Becker', 'Looking for a tankless water heater install this month, ready to buy if the price is right.'],
  ];
  const ids = [];
  for (const [channel, name, content] of others) {
    const first = name.split(' ')[0].toLowerCase();
    const o = await apiCall('POST', '/api/messages/receive', {
      channel, content, customer: { name, email: `${first}.${Date.now()}@example.com` },
    });
    assert.equal(o.status, 202, JSON.stringify(o.body));
    ids.push(o.body.customer_id);
  }
  for (const id of ids) {
    await eventually(async () => {
      const m = await apiCall('GET', `/api/messages?customer_id=${id}&direction=outbound`);
      return m.body.items.length > 0;
    }, 'the AI reply to every seeded lead');
  }

  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const context = await browser.newContext({ viewport: DESKTOP }); // axe needs a context of its own
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('signs in', async () => {
  await page.goto(`${base}/`);
  await page.getByRole('heading', { name: 'Sign in to Leadflow' }).waitFor();
  await checkA11y('login');
  await shot('login');
  await page.getByLabel('E-mail').fill(stack.admin.email);
  await page.getByLabel('Password').fill('wrong password here');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: /wrong e-mail or password|password/i }).waitFor();
  await page.getByLabel('Password').fill(stack.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  const stored = await page.evaluate(() => localStorage.getItem('leadflow.refresh_token'));
  assert.ok(stored?.startsWith('lfr_'), 'the refresh token is kept for the next visit');
});

test('home', async () => {
  await visit('/', 'Home');
  await page.getByRole('list', { name: 'Lead funnel' }).waitFor();
  await page.getByRole('table', { name: 'Leads by channel' }).getByRole('row', { name: /Chat/ }).waitFor({ state: 'attached' });
  await checkA11y('home');
  await shot('home');
});

test('inbox: thread with both directions, an agent reply stored as staff', async () => {
  await visit('/inbox', 'Inbox');
  // Unread until opened; opening marks it read.
  await page.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: /^Lee Park, .*unread/ }).click();
  const thread = page.getByRole('list', { name: 'Messages' });
  await thread.getByText('weekend appointments').waitFor();
  await thread.getByRole('listitem', { name: /^Lee Park, received by Chat/ }).waitFor();
  await thread.getByRole('listitem', { name: /^AI, sent by Chat/ }).first().waitFor();

  await page.getByLabel('Send by').selectOption('chat');
  await page.getByRole('textbox', { name: 'Reply', exact: true }).fill('Hi Lee, this is Ada from the office. Saturday works.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await thread.getByText('this is Ada from the office').waitFor();

  const sent = await eventually(async () => {
    const m = await apiCall('GET', `/api/messages?customer_id=${seeded.customerId}&direction=outbound`);
    return m.body.items.find((x) => x.content.includes('this is Ada from the office'));
  }, 'the agent reply in the API');
  assert.equal(sent.channel, 'chat');
  assert.equal(sent.ai_response ?? null, null, 'an agent reply is not an AI reply');
  assert.equal(sent.author.kind, 'staff');
  assert.equal(sent.author.name, 'Ada Admin');
  await thread.getByRole('listitem', { name: /^Ada Admin, sent by Chat/ }).waitFor();
  await page.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: 'Lee Park' }).waitFor();

  await checkA11y('inbox');
  await shot('inbox');
  await page.setViewportSize({ width: 375, height: 800 });
  await page.getByRole('button', { name: 'Menu' }).waitFor();
  await checkA11y('inbox at 375 px');
  await shot('inbox-375');
  await page.setViewportSize(DESKTOP);
});

test('leads: a move on the board persists through the API', async () => {
  const before = await apiCall('GET', `/api/leads/${seeded.leadId}`);
  assert.equal(before.body.status, 'contacted', 'the AI reply made the lead contacted');
  await visit('/leads', 'Leads');
  const contacted = page.getByRole('region', { name: /^Contacted/ });
  await contacted.getByRole('link', { name: 'Lee Park' }).waitFor();
  const select = page.getByRole('combobox', { name: 'Move Lee Park to' });
  // Only the funnel's next step is offered.
  assert.deepEqual(
    (await select.locator('option').allTextContents()).slice(1),
    ['Qualified'],
  );
  await checkA11y('leads');
  await shot('leads');
  await select.selectOption('qualified');
  await page.getByRole('region', { name: /^Qualified/ }).getByRole('link', { name: 'Lee Park' }).waitFor();
  await eventually(async () => (await apiCall('GET', `/api/leads/${seeded.leadId}`)).body.status === 'qualified', 'status qualified in the API');
  await page.reload();
  await page.getByRole('region', { name: /^Qualified/ }).getByRole('link', { name: 'Lee Park' }).waitFor();
});

test('bookings: a booking made in the calendar shows on the lead page', async () => {
  await visit(`/bookings?customer_id=${seeded.customerId}&lead_id=${seeded.leadId}`, 'Bookings');
  await page.getByText('Times in America/Chicago').waitFor();
  // Next week always has open times (today may be late or a weekend).
  await page.getByRole('button', { name: 'Next week →' }).click();
  const form = page.getByRole('form', { name: 'New booking' });
  const time = form.getByLabel('Time');
  await time.locator('option').nth(1).waitFor({ state: 'attached' });
  const slot = await time.locator('option').nth(1).getAttribute('value');
  await time.selectOption(slot);
  await form.getByLabel('Notes').fill('Leaking water heater');
  await form.getByRole('button', { name: 'Book' }).click();
  await page.getByRole('button', { name: /Lee Park, scheduled/ }).waitFor();
  const b = await apiCall('GET', `/api/bookings?lead_id=${seeded.leadId}`);
  assert.equal(b.body.items.length, 1);
  assert.equal(new Date(b.body.items[0].scheduled_time).getTime(), new Date(slot).getTime());
  await checkA11y('bookings');
  await shot('bookings');

  await visit(`/leads/${seeded.leadId}`, 'Lee Park');
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await timeline.locator('li[data-kind="booking"]').getByText(/Booking for/).waitFor();
  await page.getByRole('region', { name: 'Score breakdown' }).waitFor();
  await checkA11y('lead page');
  await shot('lead');
});

test('tasks, follow-ups and settings pages', async () => {
  await visit('/tasks', 'Tasks');
  await page.getByRole('tab', { name: 'All open' }).click();
  await page.getByRole('tabpanel').waitFor();
  await checkA11y('tasks');
  await shot('tasks');

  await visit('/follow-ups', 'Follow-ups');
  await page.getByRole('button', { name: /New lead/ }).first().click();
  await page.getByRole('heading', { name: 'Statistics' }).waitFor();
  await checkA11y('follow-ups');
  await shot('follow-ups');

  await visit('/settings', 'Settings');
  await page.getByLabel('Business name').waitFor();
  assert.equal(await page.getByLabel('Business name').inputValue(), 'Austin Plumbing');
  await checkA11y('settings');
  await shot('settings');
  await page.getByRole('tab', { name: 'API keys' }).click();
  await page.getByLabel('Key name').fill('e2e test key');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = await page.getByTestId('new-key-secret').textContent();
  assert.match(secret ?? '', /^lf_live_/);
  await checkA11y('settings: API keys');
});

test('signs out', async () => {
  await visit('/', 'Home');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Leadflow' }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('leadflow.refresh_token')), null);
  await page.goto(`${base}/leads`);
  await page.getByRole('heading', { name: 'Sign in to Leadflow' }).waitFor();
});
