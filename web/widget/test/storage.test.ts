import { beforeEach, describe, expect, it } from 'vitest';
import { createStore, storageKey } from '../src/storage';

beforeEach(() => localStorage.clear());

describe('store', () => {
  it('is namespaced by the API origin', () => {
    expect(storageKey('https://leads.example.com/some/path')).toBe('leadflow-widget:v1:https://leads.example.com');
    const a = createStore('https://a.example.com');
    const b = createStore('https://b.example.com');
    a.save({ queue: [], token: 'A' });
    expect(b.load().token).toBeUndefined();
    expect(createStore('https://a.example.com/').load().token).toBe('A');
  });

  it('round-trips a session and clears it', () => {
    const s = createStore('https://a.example.com');
    const session = { contact: { name: 'Lee', email: 'lee@example.com' }, token: 't', queue: [{ key: 'k', content: 'hi', at: 1 }], open: true };
    s.save(session);
    expect(s.load()).toEqual(session);
    s.clear();
    expect(s.load()).toEqual({ queue: [] });
  });

  it('ignores garbage instead of throwing', () => {
    localStorage.setItem(storageKey('https://a.example.com'), '{not json');
    expect(createStore('https://a.example.com').load()).toEqual({ queue: [] });
    localStorage.setItem(storageKey('https://a.example.com'), JSON.stringify({ contact: { name: 1 }, queue: [{ key: 1 }, null, { key: 'k', content: 'x', at: 2 }], token: 5 }));
    expect(createStore('https://a.example.com').load()).toEqual({ queue: [{ key: 'k', content: 'x', at: 2 }] });
  });

  it('falls back to memory when storage throws', () => {
    const broken = {
      getItem() { throw new Error('SecurityError'); },
      setItem() { throw new Error('QuotaExceeded'); },
      removeItem() { throw new Error('SecurityError'); },
    } as unknown as Storage;
    const s = createStore('https://a.example.com', broken);
    s.save({ queue: [], token: 'mem' });
    expect(s.load().token).toBe('mem');
  });
});
