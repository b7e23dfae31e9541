import { describe, expect, it } from 'vitest';
import { isEmail, normalizePhone, validateContact } from '../src/validate';

describe('isEmail', () => {
  it.each(['lee@example.com', 'Dana.Whitfield@Example.COM', 'a+tag@sub.example.co.uk', 'jo@bücher.de'])('accepts %s', (e) =>
    expect(isEmail(e)).toBe(true),
  );
  it.each(['', 'nope', '@example.com', 'a@b', 'a@b.c', 'a..b@example.com', '.a@example.com', 'a@-x.com', 'a@example.123', 'a b@example.com'])(
    'refuses %j',
    (e) => expect(isEmail(e)).toBe(false),
  );
});

describe('normalizePhone', () => {
  it('keeps E.164 and drops separators', () => {
    expect(normalizePhone('+14155552671')).toBe('+14155552671');
    expect(normalizePhone(' +1 (415) 555-2671 ')).toBe('+14155552671');
    expect(normalizePhone('(+44) 20 7946 0958')).toBe('+442079460958');
  });
  it.each(['4155552671', '+0123456789', '+1', '+1415555267100000', '+1 415 abc', '++14155552671', '+1415+5552671'])('refuses %j', (p) =>
    expect(normalizePhone(p)).toBeNull(),
  );
});

describe('validateContact', () => {
  it('needs a name and a way to reach the visitor', () => {
    const r = validateContact({ name: ' ', email: '', phone: '' });
    expect(r.contact).toBeUndefined();
    expect(r.errors.name).toMatch(/name/);
    expect(r.errors.contact).toMatch(/e-mail address or a phone/);
  });
  it('names the wrong field', () => {
    expect(validateContact({ name: 'Lee', email: 'lee@', phone: '' }).errors).toEqual({ email: expect.any(String) });
    expect(validateContact({ name: 'Lee', email: '', phone: '555-1234' }).errors).toEqual({ phone: expect.any(String) });
  });
  it('returns the contact, normalised', () => {
    expect(validateContact({ name: ' Lee ', email: 'Lee@Example.com', phone: '' }).contact).toEqual({ name: 'Lee', email: 'lee@example.com' });
    expect(validateContact({ name: 'Lee', email: '', phone: '+1 415 555 2671' }).contact).toEqual({ name: 'Lee', phone: '+14155552671' });
  });
});
