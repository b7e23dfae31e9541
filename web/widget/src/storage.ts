// What the widget keeps in localStorage, one entry per API origin, so a page that talks to
// two Leadflow deployments (or a staging and a live one) keeps their sessions apart.
// Storage that is missing, full or forbidden (private modes, sandboxed frames) degrades to
// memory: the chat still works, it just does not survive a reload.
import type { Contact } from './validate';

export interface QueuedMessage {
  /** Stable per message: sent as `external_id`, so a retry is never stored twice. */
  key: string;
  content: string;
  /** Epoch ms when the visitor sent it. */
  at: number;
}

export interface Session {
  contact?: Contact;
  token?: string;
  queue: QueuedMessage[];
  open?: boolean;
}

export interface Store {
  load(): Session;
  save(s: Session): void;
  clear(): void;
}

export function storageKey(apiBase: string): string {
  let origin = apiBase;
  try {
    origin = new URL(apiBase).origin;
  } catch {
    /* keep as given */
  }
  return `leadflow-widget:v1:${origin}`;
}

function sanitize(raw: unknown): Session {
  const s: Session = { queue: [] };
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  const c = r.contact as Record<string, unknown> | undefined;
  if (c && typeof c === 'object' && typeof c.name === 'string' && (typeof c.email === 'string' || typeof c.phone === 'string')) {
    s.contact = { name: c.name };
    if (typeof c.email === 'string') s.contact.email = c.email;
    if (typeof c.phone === 'string') s.contact.phone = c.phone;
  }
  if (typeof r.token === 'string' && r.token) s.token = r.token;
  if (Array.isArray(r.queue)) {
    s.queue = r.queue.filter(
      (q): q is QueuedMessage =>
        !!q && typeof q === 'object' && typeof q.key === 'string' && typeof q.content === 'string' && typeof q.at === 'number',
    );
  }
  if (r.open === true) s.open = true;
  return s;
}

function localStore(): Storage | null {
  try {
    const ls = window.localStorage;
    const probe = '__leadflow_probe__';
    ls.setItem(probe, '1');
    ls.removeItem(probe);
    return ls;
  } catch {
    return null;
  }
}

export function createStore(apiBase: string, storage: Storage | null = localStore()): Store {
  const key = storageKey(apiBase);
  let memory: string | null = null;
  const read = (): string | null => {
    if (storage) {
      try {
        return storage.getItem(key);
      } catch {
        /* fall through to memory */
      }
    }
    return memory;
  };
  const write = (v: string | null): void => {
    memory = v;
    if (!storage) return;
    try {
      if (v === null) storage.removeItem(key);
      else storage.setItem(key, v);
    } catch {
      /* full or forbidden: memory keeps it for this page */
    }
  };
  return {
    load() {
      try {
        const raw = read();
        return sanitize(raw ? JSON.parse(raw) : null);
      } catch {
        return { queue: [] };
      }
    },
    save(s) {
      write(JSON.stringify(s));
    },
    clear() {
      write(null);
    },
  };
}
