// The chat widget: a bubble and a panel in a shadow root, the contact form, the
// conversation and the composer, wired to the outbox (queue.ts) and the poller.
import { Api, type ApiFailure, type ChatMessage, type FetchLike } from './api';
import { accentOnWhite, DEFAULT_COLOR, parseHex, textOn } from './color';
import { Conversation } from './conversation';
import { guard, h, logError, on } from './dom';
import { Poller, type PollOutcome } from './poller';
import { SendQueue, type QueueStatus } from './queue';
import { createStore, type QueuedMessage, type Session, type Store } from './storage';
import { CSS } from './styles';
import { validateContact, type ContactErrors } from './validate';

export interface WidgetConfig {
  api: string;
  title?: string;
  color?: string;
  position?: 'left' | 'right';
  /** For tests: the fetch to use, the storage, the shadow mode. */
  fetch?: FetchLike;
  store?: Store;
  shadowMode?: ShadowRootMode;
}

/** How long after a message is accepted the typing indicator may show. */
export const AWAIT_REPLY_MS = 90_000;
const MAX_LEN = 10_000;

const ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm3 6v2h2v-2zm4 0v2h2v-2zm4 0v2h2v-2z"/></svg>';

export class Widget {
  readonly host: HTMLElement;
  readonly root: ShadowRoot;
  private readonly api: Api;
  private readonly store: Store;
  private session: Session;
  private readonly convo = new Conversation();
  private readonly queue: SendQueue;
  private readonly poller: Poller;
  private readonly title: string;
  private readonly botName: string;
  private lastAcceptedAt = 0;
  private pollFailures = 0;
  private isOpen = false;
  private editingContact = false;
  private countdown: ReturnType<typeof setInterval> | undefined;
  private readonly cleanups: (() => void)[] = [];
  private readonly nodes = new Map<string, HTMLElement>();

  // Elements.
  private readonly wrap: HTMLDivElement;
  private readonly bubble: HTMLButtonElement;
  private readonly panel: HTMLDivElement;
  private readonly bar: HTMLDivElement;
  private readonly barText: HTMLParagraphElement;
  private readonly barRetry: HTMLButtonElement;
  private readonly confirmBox: HTMLDivElement;
  private readonly resetBtn: HTMLButtonElement;
  private readonly body: HTMLDivElement;
  private readonly contactForm: HTMLFormElement;
  private readonly fields: Record<'name' | 'email' | 'phone', HTMLInputElement>;
  private readonly errs: Record<keyof ContactErrors | 'form', HTMLElement>;
  private readonly log: HTMLDivElement;
  private readonly typing: HTMLDivElement;
  private readonly composer: HTMLFormElement;
  private readonly input: HTMLTextAreaElement;

  constructor(cfg: WidgetConfig) {
    this.api = new Api(cfg.api, cfg.fetch);
    this.store = cfg.store ?? createStore(cfg.api);
    this.session = this.store.load();
    this.title = (cfg.title || 'Chat with us').slice(0, 80);
    this.botName = cfg.title ? this.title : 'Assistant';
    const accent = parseHex(cfg.color) ?? DEFAULT_COLOR;

    this.host = document.createElement('leadflow-widget');
    this.root = this.host.attachShadow({ mode: cfg.shadowMode ?? 'open' });
    const style = h('style');
    style.textContent = CSS;

    const id = (s: string) => `lf-${s}`;
    this.bubble = h('button', {
      class: 'bubble',
      type: 'button',
      'aria-label': `Open chat: ${this.title}`,
      'aria-expanded': 'false',
      'aria-controls': id('panel'),
    });
    this.bubble.innerHTML = ICON;

    this.resetBtn = h('button', { type: 'button' }, 'Start over');
    const close = h('button', { type: 'button', class: 'x', 'aria-label': 'Close chat' }, '×');
    const head = h('div', { class: 'head' }, h('h2', { id: id('title') }, this.title), this.resetBtn, close);

    this.barText = h('p');
    this.barRetry = h('button', { type: 'button', class: 'link' }, 'Retry now');
    this.bar = h('div', { class: 'bar', role: 'status' }, this.barText, this.barRetry);
    this.bar.hidden = true;

    const yes = h('button', { type: 'button', class: 'link' }, 'Start over');
    const no = h('button', { type: 'button', class: 'link' }, 'Cancel');
    this.confirmBox = h(
      'div',
      { class: 'confirm', role: 'group', 'aria-label': 'Start over' },
      h('p', {}, 'Start a new conversation? This chat will be cleared from this device.'),
      yes,
      no,
    );
    this.confirmBox.hidden = true;

    // Contact form.
    const field = (name: 'name' | 'email' | 'phone', label: string, type: string, autocomplete: string, hint?: string) => {
      const input = h('input', {
        id: id(name),
        name,
        type,
        autocomplete,
        'aria-describedby': `${id(name)}-err${hint ? ` ${id(name)}-hint` : ''}`,
        maxlength: name === 'name' ? '200' : '254',
      });
      const err = h('p', { class: 'error', id: `${id(name)}-err` });
      const box = h(
        'div',
        {},
        h('label', { for: id(name) }, label),
        input,
        hint ? h('p', { class: 'hint', id: `${id(name)}-hint` }, hint) : null,
        err,
      );
      return { input, err, box };
    };
    const fName = field('name', 'Your name', 'text', 'name');
    const fEmail = field('email', 'E-mail', 'email', 'email');
    const fPhone = field('phone', 'Or phone', 'tel', 'tel', 'With country code, e.g. +1 415 555 2671');
    const contactErr = h('p', { class: 'error', id: id('contact-err'), role: 'alert' });
    const formErr = h('p', { class: 'error', role: 'alert' });
    this.fields = { name: fName.input, email: fEmail.input, phone: fPhone.input };
    this.errs = { name: fName.err, email: fEmail.err, phone: fPhone.err, contact: contactErr, form: formErr };
    this.contactForm = h(
      'form',
      { class: 'contact', novalidate: true, 'aria-labelledby': id('intro') },
      h('p', { class: 'intro', id: id('intro') }, 'Hi! Tell us who you are and how to reach you, then ask away.'),
      fName.box,
      h('div', { role: 'group', 'aria-describedby': id('contact-err'), 'aria-label': 'How we can reach you' }, fEmail.box, fPhone.box),
      contactErr,
      formErr,
      h('button', { type: 'submit', class: 'primary' }, 'Start chat'),
    );

    this.log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
    this.typing = h('div', { class: 'typing', role: 'status' }, h('span', { class: 'sr' }, `${this.botName} is typing`));
    for (let i = 0; i < 3; i++) this.typing.append(h('i', { 'aria-hidden': 'true' }));
    this.typing.hidden = true;
    this.body = h('div', { class: 'body' }, this.contactForm, this.log, this.typing);

    this.input = h('textarea', {
      id: id('input'),
      rows: '1',
      maxlength: String(MAX_LEN),
      placeholder: 'Type your message…',
      'aria-label': 'Message',
    });
    this.composer = h(
      'form',
      { class: 'composer', novalidate: true },
      this.input,
      h('button', { type: 'submit', class: 'primary' }, 'Send'),
    );

    this.panel = h(
      'div',
      { class: 'panel', id: id('panel'), role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': id('title') },
      head,
      this.confirmBox,
      this.bar,
      this.body,
      this.composer,
    );
    this.panel.hidden = true;

    this.wrap = h('div', { class: `lf ${cfg.position === 'left' ? 'left' : 'right'}` }, this.bubble, this.panel);
    this.wrap.style.setProperty('--accent', accent);
    this.wrap.style.setProperty('--on-accent', textOn(accent));
    this.wrap.style.setProperty('--ring', accentOnWhite(accent));
    this.root.append(style, this.wrap);

    this.queue = new SendQueue(this.session.queue, this.api, {
      contact: () => this.session.contact,
      token: () => this.session.token,
      persist: (items) => this.update({ queue: [...items] }),
      accepted: (item, a) => this.onAccepted(item, a.message_id, a.chat_token),
      tokenRejected: () => this.update({ token: undefined }),
      contactRejected: (e) => this.onContactRejected(e),
      status: () => this.render(),
    });
    this.poller = new Poller(
      () => this.poll(),
      () => this.awaiting(),
    );

    // Events.
    this.listen(this.bubble, 'click', () => (this.isOpen ? this.close() : this.open()));
    this.listen(close, 'click', () => this.close());
    this.listen<KeyboardEvent>(this.panel, 'keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        if (!this.confirmBox.hidden) this.showConfirm(false);
        else this.close();
      }
    });
    this.listen(this.resetBtn, 'click', () => this.showConfirm(true));
    this.listen(no, 'click', () => this.showConfirm(false));
    this.listen(yes, 'click', () => this.reset());
    this.listen(this.barRetry, 'click', () => {
      this.queue.retryNow();
      this.poller.now();
    });
    this.listen<SubmitEvent>(this.contactForm, 'submit', (e) => {
      e.preventDefault();
      this.submitContact();
    });
    this.listen<SubmitEvent>(this.composer, 'submit', (e) => {
      e.preventDefault();
      this.send();
    });
    this.listen<KeyboardEvent>(this.input, 'keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.send();
      }
    });
    this.listen(window, 'online', () => {
      this.queue.retryNow();
      this.poller.now();
    });
    this.listen(document, 'visibilitychange', () => this.syncPolling());
  }

  /** Puts the widget on the page and resumes whatever the last visit left. */
  mount(parent: HTMLElement = document.body): void {
    parent.append(this.host);
    this.render();
    if (this.session.queue.length) this.queue.kick();
    if (this.session.open) this.open(false);
  }

  destroy(): void {
    this.queue.stop();
    this.poller.stop();
    this.stopCountdown();
    for (const c of this.cleanups.splice(0)) c();
    this.host.remove();
  }

  open(focus = true): void {
    if (this.isOpen) return;
    this.isOpen = true;
    this.update({ open: true });
    this.panel.hidden = false;
    this.wrap.classList.add('open');
    this.bubble.setAttribute('aria-expanded', 'true');
    this.bubble.setAttribute('aria-label', `Close chat: ${this.title}`);
    this.render();
    this.syncPolling();
    if (focus) this.focusFirst();
    this.scrollToEnd();
  }

  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.update({ open: undefined });
    this.panel.hidden = true;
    this.wrap.classList.remove('open');
    this.bubble.setAttribute('aria-expanded', 'false');
    this.bubble.setAttribute('aria-label', `Open chat: ${this.title}`);
    this.showConfirm(false);
    this.syncPolling();
    this.stopCountdown();
    this.bubble.focus();
  }

  /** Start over: forget the session, the contact and anything unsent. */
  reset(): void {
    this.queue.reset();
    this.poller.stop();
    this.convo.clear();
    for (const n of this.nodes.values()) n.remove();
    this.nodes.clear();
    this.session = { queue: [], open: this.isOpen || undefined };
    this.store.save(this.session);
    this.lastAcceptedAt = 0;
    this.pollFailures = 0;
    this.editingContact = false;
    for (const f of Object.values(this.fields)) f.value = '';
    this.input.value = '';
    this.showErrors({});
    this.showConfirm(false);
    this.render();
    this.focusFirst();
  }

  // ---- state ----

  private update(patch: Partial<Session>): void {
    this.session = { ...this.session, ...patch };
    this.store.save(this.session);
  }

  private listen<E extends Event = Event>(t: EventTarget, type: string, fn: (e: E) => void): void {
    this.cleanups.push(on<E>(t, type, fn));
  }

  private awaiting(): boolean {
    if (this.queue.pending.length) return true;
    if (!this.convo.awaitingReply()) return false;
    const last = this.convo.last();
    const since = Math.max(this.lastAcceptedAt, last ? Date.parse(last.created_at) || 0 : 0);
    return Date.now() - since < AWAIT_REPLY_MS;
  }

  private syncPolling(): void {
    const visible = typeof document.visibilityState !== 'string' || document.visibilityState !== 'hidden';
    if (this.isOpen && visible && this.session.token) this.poller.start();
    else this.poller.stop();
  }

  private async poll(): Promise<PollOutcome> {
    const token = this.session.token;
    if (!token) return { ok: true };
    const r = await this.api.chat(token);
    if (token !== this.session.token) return { ok: true }; // reset meanwhile
    if (!r.ok) {
      if (r.error.status === 403) {
        // The token is no longer accepted (the deployment's key changed): a new session
        // starts with the next message; the contact is kept.
        this.update({ token: undefined });
        this.poller.stop();
        this.render();
        return { ok: true };
      }
      this.pollFailures += 1;
      this.render();
      return { ok: false, retryAfterMs: r.error.retryAfterMs };
    }
    this.pollFailures = 0;
    const changed = this.convo.merge(r.value);
    this.render(changed);
    return { ok: true };
  }

  private onAccepted(item: QueuedMessage, messageId: string, token?: string): void {
    if (token && token !== this.session.token) this.update({ token });
    this.lastAcceptedAt = Date.now();
    // The pending bubble becomes the message: same element, so it is not announced twice.
    const el = this.nodes.get(`q:${item.key}`);
    if (el) {
      this.nodes.delete(`q:${item.key}`);
      if (!this.nodes.has(messageId)) this.nodes.set(messageId, el);
      else el.remove();
    }
    this.convo.addLocal(messageId, item.content);
    this.render(true);
    this.syncPolling();
    this.poller.now();
  }

  private onContactRejected(e: ApiFailure): void {
    this.editingContact = true;
    const field = e.field === 'customer.phone' ? 'phone' : e.field === 'customer.name' ? 'name' : 'email';
    const c = this.session.contact;
    this.fields.name.value = c?.name ?? '';
    this.fields.email.value = c?.email ?? '';
    this.fields.phone.value = c?.phone ?? '';
    this.showErrors({ [field]: e.message });
    this.render();
    try {
      this.fields[field].focus();
    } catch {
      /* not focusable while hidden */
    }
  }

  // ---- actions ----

  private submitContact(): void {
    const { contact, errors } = validateContact({
      name: this.fields.name.value,
      email: this.fields.email.value,
      phone: this.fields.phone.value,
    });
    this.showErrors(errors);
    if (!contact) {
      const first = (['name', 'email', 'phone'] as const).find((k) => errors[k]) ?? (errors.contact ? 'email' : 'name');
      this.fields[first].focus();
      return;
    }
    this.update({ contact });
    this.editingContact = false;
    this.render();
    this.input.focus();
    // A message refused for its contact goes again with the corrected one.
    if (this.queue.status.kind === 'failed') this.queue.retryNow();
    else this.queue.kick();
  }

  private send(): void {
    const text = this.input.value.trim();
    if (!text) return;
    if (!this.session.contact) {
      this.editingContact = true;
      this.render();
      return;
    }
    this.input.value = '';
    this.queue.enqueue(text.slice(0, MAX_LEN));
    this.render(true);
    this.poller.reschedule();
  }

  // ---- rendering ----

  private showErrors(errors: ContactErrors): void {
    for (const k of ['name', 'email', 'phone'] as const) {
      this.errs[k].textContent = errors[k] ?? '';
      if (errors[k]) this.fields[k].setAttribute('aria-invalid', 'true');
      else this.fields[k].removeAttribute('aria-invalid');
    }
    this.errs.contact.textContent = errors.contact ?? '';
    if (errors.contact) {
      this.fields.email.setAttribute('aria-invalid', 'true');
      this.fields.phone.setAttribute('aria-invalid', 'true');
    }
  }

  private showConfirm(show: boolean): void {
    this.confirmBox.hidden = !show;
    if (show) (this.confirmBox.querySelector('button') as HTMLButtonElement | null)?.focus();
    else if (this.isOpen && this.root.activeElement && this.confirmBox.contains(this.root.activeElement)) this.resetBtn.focus();
  }

  private focusFirst(): void {
    if (!this.isOpen) return;
    const target = this.needsContact() ? this.fields.name : this.input;
    try {
      target.focus();
    } catch {
      /* ignore */
    }
  }

  private needsContact(): boolean {
    return !this.session.contact || this.editingContact;
  }

  private render(scroll = false): void {
    guard(() => {
      const needsContact = this.needsContact();
      this.contactForm.hidden = !needsContact;
      this.composer.hidden = needsContact;
      this.resetBtn.hidden = !this.session.contact && !this.session.token && !this.session.queue.length;
      this.renderMessages();
      const status = this.queue.status;
      this.typing.hidden = !(this.awaiting() && (status.kind === 'idle' || status.kind === 'sending') && !this.pollFailures);
      this.renderBar(status);
      if (scroll) this.scrollToEnd();
    }, logError)();
  }

  private renderBar(status: QueueStatus): void {
    let text = '';
    let err = false;
    let retry = true;
    if (status.kind === 'waiting') {
      const s = Math.max(0, Math.ceil((status.nextAt - Date.now()) / 1000));
      text =
        status.error.status === 429
          ? `Too many messages at once — sending again in ${s} s.`
          : `Can’t reach us — retrying${s ? ` in ${s} s` : '…'}. Your message is saved.`;
      this.startCountdown();
    } else if (status.kind === 'failed') {
      err = true;
      text = `Your message wasn’t sent: ${status.error.message}`;
      retry = !(status.error.field ?? '').startsWith('customer');
    } else if (this.pollFailures >= 2) {
      text = 'Can’t reach us — retrying…';
    }
    if (status.kind !== 'waiting') this.stopCountdown();
    this.bar.hidden = !text;
    this.bar.classList.toggle('err', err);
    this.barRetry.hidden = !retry;
    // Only touch the live region when the words change.
    if (this.barText.textContent !== text) this.barText.textContent = text;
  }

  private startCountdown(): void {
    if (this.countdown !== undefined || !this.isOpen) return;
    this.countdown = setInterval(
      guard(() => this.renderBar(this.queue.status), logError),
      1000,
    );
  }

  private stopCountdown(): void {
    if (this.countdown !== undefined) clearInterval(this.countdown);
    this.countdown = undefined;
  }

  private renderMessages(): void {
    const wanted: [string, () => HTMLElement, (el: HTMLElement) => void][] = [];
    for (const m of this.convo.list()) {
      wanted.push([m.id, () => h('div'), (el) => this.fillMessage(el, m)]);
    }
    const status = this.queue.status;
    this.queue.pending.forEach((q, i) => {
      const state = i === 0 ? status.kind : 'queued';
      wanted.push([`q:${q.key}`, () => h('div'), (el) => this.fillPending(el, q, state)]);
    });
    const keep = new Set(wanted.map((w) => w[0]));
    for (const [k, el] of this.nodes) {
      if (!keep.has(k)) {
        el.remove();
        this.nodes.delete(k);
      }
    }
    wanted.forEach(([k, make, fill], i) => {
      let el = this.nodes.get(k);
      if (!el) {
        el = make();
        this.nodes.set(k, el);
      }
      fill(el);
      if (this.log.children[i] !== el) this.log.insertBefore(el, this.log.children[i] ?? null);
    });
  }

  private fillMessage(el: HTMLElement, m: ChatMessage): void {
    const mine = m.direction === 'inbound';
    const who = mine ? 'You' : authorName(m, this.botName);
    const sig = `${m.direction}|${who}|${m.content}|${m.created_at}`;
    if (el.dataset.sig === sig) return;
    el.dataset.sig = sig;
    el.className = `msg ${mine ? 'in' : 'out'}`;
    el.replaceChildren(
      h('span', { class: mine ? 'sr' : 'who' }, `${who}${mine ? ':' : ''}`),
      h('span', { class: 'text' }, m.content),
      h('span', { class: 'meta' }, formatTime(m.created_at)),
    );
  }

  private fillPending(el: HTMLElement, q: QueuedMessage, state: string): void {
    const label =
      state === 'sending' ? 'Sending…' : state === 'waiting' ? 'Not sent yet — will retry' : state === 'failed' ? 'Not sent' : 'Waiting to send';
    const sig = `${state}|${q.content}`;
    if (el.dataset.sig === sig) return;
    el.dataset.sig = sig;
    el.className = `msg in ${state === 'failed' ? 'failed' : 'pending'}`;
    const parts: Node[] = [h('span', { class: 'sr' }, 'You:'), h('span', { class: 'text' }, q.content), h('span', { class: 'meta' }, label)];
    if (state === 'failed') {
      const del = h('button', { type: 'button', class: 'link' }, 'Delete');
      on(del, 'click', () => this.queue.drop(q.key));
      parts.push(del);
    }
    el.replaceChildren(...parts);
  }

  private scrollToEnd(): void {
    try {
      this.body.scrollTop = this.body.scrollHeight;
    } catch {
      /* ignore */
    }
  }
}

function authorName(m: ChatMessage, title: string): string {
  const a = m.author;
  if (a && a.kind === 'staff') return a.name ? `${a.name} (staff)` : 'Staff';
  if (a && a.kind === 'system') return a.name || title;
  if (a && a.name) return a.name;
  return title;
}

function formatTime(iso: string): string {
  try {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  } catch {
    return '';
  }
}
