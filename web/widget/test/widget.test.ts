import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from '../src/storage';
import { Widget } from '../src/widget';
import { accepted, fakeFetch, json, type Call, type Handler } from './helpers';

const API = 'https://leads.example.com';
const TOKEN = 'T'.repeat(64);
let widgets: Widget[] = [];

function mount(handler: Handler, opts: { title?: string } = {}) {
  const fetch = fakeFetch(handler);
  const w = new Widget({ api: API, fetch, title: opts.title ?? 'Acme Plumbing', color: '#0f766e' });
  w.mount(document.body);
  widgets.push(w);
  const $ = <T extends Element = HTMLElement>(sel: string) => w.root.querySelector(sel) as T;
  const $$ = (sel: string) => [...w.root.querySelectorAll(sel)];
  return { w, fetch, $, $$ };
}

/** A small fake server: receive accepts, chat returns what was accepted plus replies. */
function server() {
  const items: any[] = [];
  let n = 0;
  const handler: Handler = (c: Call) => {
    if (c.url.includes('/api/messages/receive')) {
      n += 1;
      const id = `m${n}`;
      if (!items.some((m) => m.external === c.body.external_id)) {
        items.unshift({ id, direction: 'inbound', content: c.body.content, created_at: new Date().toISOString(), delivery_status: null, external: c.body.external_id });
      }
      return json(202, { message_id: id, customer_id: 'c', lead_id: 'l', chat_token: TOKEN });
    }
    return json(200, { items: items.map(({ external, ...m }) => m), next_cursor: null });
  };
  const reply = (content: string, author?: unknown) =>
    items.unshift({ id: `r${items.length}`, direction: 'outbound', content, created_at: new Date(Date.now() + 1).toISOString(), delivery_status: 'delivered', author });
  return { handler, items, reply };
}

function type(input: HTMLInputElement | HTMLTextAreaElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

async function fillContact($: (s: string) => HTMLElement, name = 'Lee', email = 'lee@example.com') {
  type($('#lf-name') as HTMLInputElement, name);
  type($('#lf-email') as HTMLInputElement, email);
  ($('form.contact') as HTMLFormElement).requestSubmit();
}

async function sendMessage($: (s: string) => HTMLElement, text: string) {
  type($('#lf-input') as HTMLTextAreaElement, text);
  ($('form.composer') as HTMLFormElement).requestSubmit();
  await vi.advanceTimersByTimeAsync(0);
}

const texts = ($$: (s: string) => Element[]) => $$('.log .msg .text').map((e) => e.textContent);

beforeEach(() => {
  localStorage.clear();
  document.body.innerHTML = '<button id="host-button">host</button>';
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  widgets.forEach((w) => w.destroy());
  widgets = [];
  vi.useRealTimers();
});

describe('widget', () => {
  it('is a labelled button that opens a dialog, focuses it and closes on Escape', () => {
    const { w, $ } = mount(server().handler);
    const bubble = $('button.bubble');
    expect(document.querySelector('leadflow-widget')).toBe(w.host);
    expect(bubble.getAttribute('aria-label')).toBe('Open chat: Acme Plumbing');
    expect(bubble.getAttribute('aria-expanded')).toBe('false');
    bubble.click();
    const panel = $('[role=dialog]');
    expect(panel.hidden).toBe(false);
    expect(panel.getAttribute('aria-labelledby')).toBe('lf-title');
    expect(bubble.getAttribute('aria-expanded')).toBe('true');
    expect(w.root.activeElement?.id).toBe('lf-name');
    panel.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(panel.hidden).toBe(true);
    expect(w.root.activeElement).toBe(bubble);
  });

  it('asks for a name and an e-mail or phone, with inline accessible errors', () => {
    const { w, $ } = mount(server().handler);
    w.open();
    ($('form.contact') as HTMLFormElement).requestSubmit();
    expect($('#lf-name-err').textContent).toMatch(/name/);
    expect($('#lf-name').getAttribute('aria-invalid')).toBe('true');
    expect($('#lf-name').getAttribute('aria-describedby')).toContain('lf-name-err');
    expect($('#lf-contact-err').textContent).toMatch(/e-mail address or a phone/);
    expect($('label[for=lf-email]').textContent).toBe('E-mail');
    type($('#lf-name') as HTMLInputElement, 'Lee');
    type($('#lf-phone') as HTMLInputElement, '555 1234');
    ($('form.contact') as HTMLFormElement).requestSubmit();
    expect($('#lf-phone-err').textContent).toMatch(/country code/);
    expect($('#lf-name').hasAttribute('aria-invalid')).toBe(false);
    expect($('form.composer').hidden).toBe(true);
    type($('#lf-phone') as HTMLInputElement, '+1 415 555 2671');
    ($('form.contact') as HTMLFormElement).requestSubmit();
    expect($('form.contact').hidden).toBe(true);
    expect($('form.composer').hidden).toBe(false);
    expect(createStore(API).load().contact).toEqual({ name: 'Lee', phone: '+14155552671' });
  });

  it('sends, shows a typing indicator, then the reply; polling never duplicates', async () => {
    const s = server();
    const { w, $, $$, fetch } = mount(s.handler);
    w.open();
    await fillContact($);
    await sendMessage($, 'Hi, my sink is leaking');
    const receive = fetch.calls.find((c) => c.method === 'POST')!;
    expect(receive.body).toMatchObject({ channel: 'chat', content: 'Hi, my sink is leaking', customer: { name: 'Lee', email: 'lee@example.com' } });
    expect(texts($$)).toEqual(['Hi, my sink is leaking']);
    expect($('.typing').hidden).toBe(false);
    expect(createStore(API).load().token).toBe(TOKEN);
    await vi.advanceTimersByTimeAsync(3000);
    s.reply('Sorry to hear that! We can come tomorrow.');
    await vi.advanceTimersByTimeAsync(1500);
    expect(texts($$)).toEqual(['Hi, my sink is leaking', 'Sorry to hear that! We can come tomorrow.']);
    expect($('.typing').hidden).toBe(true);
    expect($('.msg.out .who').textContent).toBe('Acme Plumbing');
    const chat = fetch.calls.filter((c) => c.url.includes('/api/messages/chat?token=' + TOKEN + '&limit=50'));
    expect(chat.length).toBeGreaterThan(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect($$('.log .msg')).toHaveLength(2);
    expect($('[role=log]').getAttribute('aria-live')).toBe('polite');
  });

  it('shows staff replies with their name', async () => {
    const s = server();
    const { w, $, $$ } = mount(s.handler);
    w.open();
    await fillContact($);
    await sendMessage($, 'hello');
    s.reply('Hi Lee, Jo here from the office.', { kind: 'staff', name: 'Jo' });
    await vi.advanceTimersByTimeAsync(1500);
    expect($$('.msg.out .who').map((e) => e.textContent)).toEqual(['Jo (staff)']);
  });

  it('restores the contact and the history after a reload', async () => {
    const s = server();
    s.items.push({ id: 'r0', direction: 'outbound', content: 'Earlier reply', created_at: '2030-01-01T00:00:02Z', delivery_status: 'delivered' });
    s.items.push({ id: 'm0', direction: 'inbound', content: 'Earlier question', created_at: '2030-01-01T00:00:01Z', delivery_status: null });
    createStore(API).save({ contact: { name: 'Lee', email: 'lee@example.com' }, token: TOKEN, queue: [], open: true });
    const { $, $$ } = mount(s.handler);
    await vi.advanceTimersByTimeAsync(0);
    expect($('[role=dialog]').hidden).toBe(false);
    expect($('form.contact').hidden).toBe(true);
    expect(texts($$)).toEqual(['Earlier question', 'Earlier reply']);
  });

  it('keeps a message while the API is down, says so, and delivers it once back', async () => {
    const s = server();
    let up = false;
    const { w, $, $$, fetch } = mount((c) => (up ? s.handler(c) : json(503, { error: { code: 'service_unavailable', message: 'down' } }, { 'retry-after': '5' })));
    w.open();
    await fillContact($);
    await sendMessage($, 'are you there?');
    expect($('.msg.pending .text').textContent).toBe('are you there?');
    expect($('.bar').hidden).toBe(false);
    expect($('.bar p').textContent).toMatch(/Can’t reach us — retrying in 5 s/);
    expect(createStore(API).load().queue.map((q) => q.content)).toEqual(['are you there?']);
    await vi.advanceTimersByTimeAsync(2000);
    expect($('.bar p').textContent).toMatch(/in 3 s/);
    up = true;
    ($('.bar button') as HTMLButtonElement).click(); // Retry now
    await vi.advanceTimersByTimeAsync(0);
    expect($('.bar').hidden).toBe(true);
    expect($$('.msg.pending')).toHaveLength(0);
    expect(texts($$)).toEqual(['are you there?']);
    expect(createStore(API).load().queue).toEqual([]);
    const keys = fetch.calls.filter((c) => c.method === 'POST').map((c) => c.body.external_id);
    expect(new Set(keys).size).toBe(1);
    expect(s.items.filter((m) => m.direction === 'inbound')).toHaveLength(1);
  });

  it('sends a message left in the queue by the last visit', async () => {
    const s = server();
    createStore(API).save({ contact: { name: 'Lee', email: 'lee@example.com' }, queue: [{ key: 'w-left', content: 'typed offline', at: 1 }] });
    const { fetch } = mount(s.handler);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.calls[0].body).toMatchObject({ external_id: 'w-left', content: 'typed offline' });
    expect(createStore(API).load().queue).toEqual([]);
  });

  it('takes the visitor back to the form when the server refuses the contact', async () => {
    const { w, $ } = mount(() =>
      json(422, { error: { code: 'validation_error', message: 'customer.phone must be a valid phone number', field: 'customer.phone' } }),
    );
    w.open();
    type($('#lf-name') as HTMLInputElement, 'Lee');
    type($('#lf-phone') as HTMLInputElement, '+1 999 555 0000');
    ($('form.contact') as HTMLFormElement).requestSubmit();
    await sendMessage($, 'hi');
    expect($('form.contact').hidden).toBe(false);
    expect($('#lf-phone-err').textContent).toMatch(/valid phone/);
    expect(w.root.activeElement?.id).toBe('lf-phone');
  });

  it('starts over: clears the session, the contact and the conversation', async () => {
    const s = server();
    const { w, $, $$ } = mount(s.handler);
    w.open();
    await fillContact($);
    await sendMessage($, 'hello');
    ($('.head button') as HTMLButtonElement).click();
    expect($('.confirm').hidden).toBe(false);
    ($('.confirm button') as HTMLButtonElement).click();
    expect($$('.log .msg')).toHaveLength(0);
    expect($('form.contact').hidden).toBe(false);
    const stored = createStore(API).load();
    expect(stored.token).toBeUndefined();
    expect(stored.contact).toBeUndefined();
  });

  it('never throws into the host page, whatever the network does', async () => {
    const errors: unknown[] = [];
    const onError = (e: ErrorEvent) => errors.push(e.error);
    const onRejection = (e: PromiseRejectionEvent) => errors.push(e.reason);
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    createStore(API).save({ contact: { name: 'Lee', email: 'lee@example.com' }, token: TOKEN, queue: [], open: true });
    const crazy: Handler[] = [
      () => new Response('<html>not json</html>', { status: 200 }),
      () => json(200, { items: 'nope' }),
      () => json(200, { items: [null, 1, { id: 5 }, { id: 'x', direction: 'sideways', content: 'a', created_at: 'b' }] }),
      () => new Response('', { status: 500 }),
      () => {
        throw new Error('fetch itself threw');
      },
    ];
    let i = 0;
    const { w, $, $$ } = mount((c) => crazy[i++ % crazy.length](c));
    await vi.advanceTimersByTimeAsync(60_000);
    await sendMessage($, 'still works?');
    await vi.advanceTimersByTimeAsync(60_000);
    w.close();
    w.open();
    w.reset();
    expect(errors).toEqual([]);
    expect($$('.log .msg').length).toBeLessThanOrEqual(1);
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
  });

  it('does not poll while closed or hidden', async () => {
    createStore(API).save({ contact: { name: 'Lee', email: 'lee@example.com' }, token: TOKEN, queue: [] });
    const { w, fetch } = mount(server().handler);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fetch.calls).toHaveLength(0);
    w.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.calls).toHaveLength(1);
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch.calls).toHaveLength(1);
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.calls).toHaveLength(2);
  });

  it('keeps the page alone: no global styles, one namespaced global at most', () => {
    const before = document.head.innerHTML;
    mount(server().handler);
    expect(document.head.innerHTML).toBe(before);
    expect(document.querySelectorAll('style').length).toBe(0);
    expect(getComputedStyle(document.getElementById('host-button')!).color).toBe(getComputedStyle(document.createElement('button')).color);
  });
});
