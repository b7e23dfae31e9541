// Contact validation, kept close to what the server accepts (shared/src/domain/contact.rs):
// an e-mail address with a dotted domain, or a phone number in E.164 form.

export interface Contact {
  name: string;
  email?: string;
  phone?: string;
}

export type ContactErrors = Partial<Record<'name' | 'contact' | 'email' | 'phone', string>>;

const LOCAL_CHARS = /^[\p{L}\p{N}!#$%&'*+\-/=?^_`{|}~.]+$/u;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;

export function isEmail(raw: string): boolean {
  const s = raw.trim().toLowerCase();
  if (!s || s.length > 254) return false;
  const at = s.lastIndexOf('@');
  if (at <= 0) return false;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  if (!LOCAL_CHARS.test(local)) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  if (!labels.every((l) => l.length <= 63 && LABEL.test(l))) return false;
  const tld = labels[labels.length - 1];
  return tld.length >= 2 && !/^\d+$/.test(tld);
}

/** The phone number in E.164 form (`+14155552671`), or null. Spaces, dashes, dots and
 * brackets are separators and are dropped. */
export function normalizePhone(raw: string): string | null {
  const s = raw.trim();
  if (!/^[\d\s+().-]+$/.test(s)) return null;
  const lead = s.replace(/^[\s(]+/, '');
  if (!lead.startsWith('+') || (s.match(/\+/g) || []).length !== 1) return null;
  const digits = s.replace(/\D/g, '');
  const e164 = `+${digits}`;
  return /^\+[1-9]\d{7,14}$/.test(e164) ? e164 : null;
}

export interface ContactInput {
  name: string;
  email: string;
  phone: string;
}

export function validateContact(input: ContactInput): { contact?: Contact; errors: ContactErrors } {
  const errors: ContactErrors = {};
  const name = input.name.trim();
  const email = input.email.trim();
  const phone = input.phone.trim();
  if (!name) errors.name = 'Please enter your name.';
  else if (name.length > 200) errors.name = 'Please use at most 200 characters.';
  let e164: string | null = null;
  if (!email && !phone) {
    errors.contact = 'Please enter an e-mail address or a phone number so we can reach you.';
  }
  if (email && !isEmail(email)) errors.email = 'Please enter an e-mail address like name@example.com.';
  if (phone) {
    e164 = normalizePhone(phone);
    if (!e164) errors.phone = 'Please enter the number with its country code, like +1 415 555 2671.';
  }
  if (Object.keys(errors).length) return { errors };
  const contact: Contact = { name };
  if (email) contact.email = email.toLowerCase();
  if (e164) contact.phone = e164;
  return { contact, errors };
}
