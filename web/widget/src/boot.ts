// What the script tag does. Reads its own data attributes, waits for <body>, mounts
// one widget, and exposes `window.LeadflowWidget` (open, close, reset). Nothing here may
// throw into the host page.
import { logError } from './dom';
import { Widget } from './widget';

export const VERSION = '0.1.0';

interface PublicApi {
  version: string;
  open(): void;
  close(): void;
  reset(): void;
}

declare global {
  interface Window {
    LeadflowWidget?: PublicApi;
  }
}

function findScript(): HTMLScriptElement | null {
  const cur = document.currentScript;
  if (cur instanceof HTMLScriptElement) return cur;
  return (
    document.querySelector<HTMLScriptElement>('script[data-leadflow-url]') ??
    document.querySelector<HTMLScriptElement>('script[src*="widget.js"]')
  );
}

export function readConfig(script: HTMLScriptElement | null, pageOrigin = location.origin) {
  const d = script?.dataset ?? {};
  let api = (d.leadflowUrl || '').trim();
  if (!api) {
    try {
      api = script?.src ? new URL(script.src, location.href).origin : pageOrigin;
    } catch {
      api = pageOrigin;
    }
  }
  const position: 'left' | 'right' = d.position === 'left' ? 'left' : 'right';
  return { api, title: d.title, color: d.color, position };
}

export function boot(): void {
  if (window.LeadflowWidget) return; // loaded twice: keep the first
  const cfg = readConfig(findScript());
  let widget: Widget | undefined;
  const safe = (f: () => void) => () => {
    try {
      f();
    } catch (e) {
      logError(e);
    }
  };
  window.LeadflowWidget = {
    version: VERSION,
    open: safe(() => widget?.open()),
    close: safe(() => widget?.close()),
    reset: safe(() => widget?.reset()),
  };
  const start = safe(() => {
    if (widget) return;
    widget = new Widget(cfg);
    widget.mount(document.body);
  });
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
}

