import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { ThreadMessages, sortConversations, type ThreadMessage } from './Inbox';
import type { ConversationItem } from '../api/types';
import { renderWithProviders } from '../test/render';

function msg(p: Partial<ThreadMessage> & Pick<ThreadMessage, 'id' | 'direction' | 'created_at' | 'content'>): ThreadMessage {
  return {
    customer_id: 'c1',
    channel: 'chat',
    processed: true,
    auto_submitted: false,
    ai_response: null,
    delivery_status: null,
    ...p,
  } as ThreadMessage;
}

const thread: ThreadMessage[] = [
  msg({ id: '3', direction: 'outbound', created_at: '2027-03-01T10:02:00Z', content: 'Hi Lee, Jo here.', delivery_status: 'delivered', author: { kind: 'staff', name: 'Jo Agent', user_id: 'u1' } }),
  msg({ id: '1', direction: 'inbound', created_at: '2027-03-01T10:00:00Z', content: 'Do you work weekends?', author: { kind: 'customer', name: 'Lee', user_id: null } }),
  msg({ id: '2', direction: 'outbound', created_at: '2027-03-01T10:00:05Z', content: 'Yes, Saturdays 9-12.', ai_response: 'Yes, Saturdays 9-12.', delivery_status: 'sent', author: { kind: 'ai', name: null, user_id: null } }),
  msg({ id: '4', direction: 'outbound', channel: 'email', created_at: '2027-03-01T10:03:00Z', content: 'Reminder', delivery_status: 'failed', author: { kind: 'system', name: null, user_id: null } }),
];

describe('ThreadMessages', () => {
  it('shows both directions oldest first with author, channel and delivery status', () => {
    renderWithProviders(<ThreadMessages messages={thread} customerName="Lee" />);
    const list = screen.getByRole('list', { name: 'Messages' });
    expect(list.getAttribute('aria-live')).toBe('polite');
    const items = within(list).getAllByRole('listitem').filter((li) => li.classList.contains('msg'));
    expect(items.map((li) => li.querySelector('.msg__author')!.textContent)).toEqual(['Lee', 'AI', 'Jo Agent', 'System']);
    expect(items.map((li) => li.dataset.author)).toEqual(['customer', 'ai', 'staff', 'system']);
    expect(items[0]!.className).toContain('msg--inbound');
    expect(items[2]!.className).toContain('msg--outbound');
    expect(within(items[2]!).getByText('delivered')).toBeTruthy();
    expect(within(items[1]!).getByText('sent')).toBeTruthy();
    expect(within(items[3]!).getByText('failed')).toBeTruthy();
    expect(within(items[3]!).getByText('E-mail')).toBeTruthy();
    // Each message is findable by its accessible name.
    expect(screen.getByRole('listitem', { name: 'Jo Agent, sent by Chat' })).toBeTruthy();
    expect(screen.getByRole('listitem', { name: 'Lee, received by Chat' })).toBeTruthy();
  });

  it('falls back when messages do not carry an author yet', () => {
    const old = [
      msg({ id: 'a', direction: 'inbound', created_at: '2027-03-01T10:00:00Z', content: 'Hello' }),
      msg({ id: 'b', direction: 'outbound', created_at: '2027-03-01T10:00:01Z', content: 'Hi!', ai_response: 'Hi!' }),
      msg({ id: 'c', direction: 'outbound', created_at: '2027-03-01T10:00:02Z', content: 'Jo here' }),
    ];
    renderWithProviders(<ThreadMessages messages={old} customerName="Lee" />);
    expect([...document.querySelectorAll('.msg__author')].map((e) => e.textContent)).toEqual(['Lee', 'AI', 'Staff']);
  });
});

describe('sortConversations', () => {
  const c = (id: string, needs: boolean, at: string): ConversationItem => ({
    customer: { id, name: id, email: null, phone: null },
    lead: { id: `l${id}`, status: 'new', needs_human: needs, handoff_reason: null },
    last_message: null,
    last_activity_at: at,
    unread: 0,
    ai_paused_until: null,
  });
  it('puts needs-human first, then the most recent', () => {
    const out = sortConversations([c('a', false, '2027-03-01T10:00:00Z'), c('b', true, '2027-03-01T08:00:00Z'), c('c', false, '2027-03-01T11:00:00Z'), c('d', true, '2027-03-01T09:00:00Z')]);
    expect(out.map((x) => x.customer.id)).toEqual(['d', 'b', 'c', 'a']);
  });
});
