// A few DOM helpers; every listener the widget adds goes through `on`, which keeps a
// failure inside the widget instead of throwing into the host page.
type Attrs = Record<string, string | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

export function guard<A extends unknown[]>(fn: (...a: A) => void, report?: (e: unknown) => void): (...a: A) => void {
  return (...a: A) => {
    try {
      fn(...a);
    } catch (e) {
      try {
        report?.(e);
      } catch {
        /* nothing left to do */
      }
    }
  };
}

export function on<E extends Event = Event>(
  target: EventTarget,
  type: string,
  fn: (e: E) => void,
  opts?: AddEventListenerOptions,
): () => void {
  const safe = guard(fn as (e: Event) => void, logError);
  target.addEventListener(type, safe as EventListener, opts);
  return () => target.removeEventListener(type, safe as EventListener, opts);
}

export function logError(e: unknown): void {
  try {
    if (typeof console !== 'undefined') console.warn('[leadflow widget]', e);
  } catch {
    /* console itself may be gone */
  }
}
