import { afterEach, describe, expect, it } from 'vitest';
import { boot, readConfig } from '../src/boot';

afterEach(() => {
  delete window.LeadflowWidget;
  document.body.innerHTML = '';
});

describe('boot', () => {
  it('reads the script tag', () => {
    const s = document.createElement('script');
    s.src = 'https://cdn.example.com/widget.js';
    expect(readConfig(s)).toMatchObject({ api: 'https://cdn.example.com', position: 'right' });
    s.dataset.leadflowUrl = 'https://leads.example.com';
    s.dataset.title = 'Acme';
    s.dataset.color = '#ff0000';
    s.dataset.position = 'left';
    expect(readConfig(s)).toEqual({ api: 'https://leads.example.com', title: 'Acme', color: '#ff0000', position: 'left' });
    expect(readConfig(null, 'https://page.example.com').api).toBe('https://page.example.com');
  });

  it('mounts once, and exposes only window.LeadflowWidget', () => {
    const s = document.createElement('script');
    s.dataset.leadflowUrl = 'https://leads.example.com';
    document.body.append(s);
    const before = new Set(Object.keys(window));
    boot();
    boot();
    expect(document.querySelectorAll('leadflow-widget')).toHaveLength(1);
    expect(Object.keys(window).filter((k) => !before.has(k))).toEqual(['LeadflowWidget']);
    expect(() => {
      window.LeadflowWidget!.open();
      window.LeadflowWidget!.close();
      window.LeadflowWidget!.reset();
    }).not.toThrow();
  });
});
