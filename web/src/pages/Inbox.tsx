import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../api/client';
import type { Author, Channel, ConversationItem, Message } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { Badge, FormError, LoadMore, PageHeader, QueryState, SelectField, TextArea, TextField, fieldError } from '../components/ui';
import { formatDateTime, relativeTime } from '../lib/time';

const POLL_MS = 3000;

export type ThreadMessage = Message;

export const CHANNEL_LABEL: Record<string, string> = { sms: 'SMS', email: 'E-mail', chat: 'Chat', form: 'Form' };

/** Who wrote a message, for people: "AI", the agent's name, the customer's name, "System". */
export function authorLabel(m: Pick<ThreadMessage, 'direction' | 'ai_response' | 'author'>, customerName?: string | null): string {
  const a = m.author;
  if (a) {
    switch (a.kind) {
      case 'customer':
        return a.name ?? customerName ?? 'Customer';
      case 'ai':
        return 'AI';
      case 'staff':
        return a.name ?? 'Staff';
      case 'system':
        return 'System';
    }
  }
  // Before `author` exists: inbound is the customer; an outbound AI reply keeps its draft.
  if (m.direction === 'inbound') return customerName ?? 'Customer';
  return m.ai_response ? 'AI' : 'Staff';
}

function authorKind(m: ThreadMessage): Author['kind'] {
  return m.author?.kind ?? (m.direction === 'inbound' ? 'customer' : m.ai_response ? 'ai' : 'staff');
}

const STATUS_TONE: Record<string, 'ok' | 'warn' | 'danger' | 'info' | 'neutral'> = {
  delivered: 'ok',
  sent: 'info',
  pending: 'neutral',
  sending: 'neutral',
  skipped: 'warn',
  failed: 'danger',
};

/** The thread, oldest first, each message with its author, channel and delivery status. */
export function ThreadMessages({ messages, customerName }: { messages: ThreadMessage[]; customerName?: string | null }) {
  const sorted = useMemo(() => [...messages].sort((a, b) => a.created_at.localeCompare(b.created_at)), [messages]);
  const end = useRef<HTMLLIElement>(null);
  const last = sorted[sorted.length - 1]?.id;
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'nearest' });
  }, [last]);
  if (sorted.length === 0) return <p className="muted">No messages yet.</p>;
  return (
    <ol className="messages" aria-label="Messages" aria-live="polite" aria-relevant="additions">
      {sorted.map((m) => {
        const who = authorLabel(m, customerName);
        return (
          <li
            key={m.id}
            className={`msg msg--${m.direction}`}
            data-author={authorKind(m)}
            aria-label={`${who}, ${m.direction === 'inbound' ? 'received' : 'sent'} by ${CHANNEL_LABEL[m.channel] ?? m.channel}`}
          >
            <div className="msg__meta">
              <span className="msg__author">{who}</span>
              <span>{CHANNEL_LABEL[m.channel] ?? m.channel}</span>
              <time dateTime={m.created_at}>{formatDateTime(m.created_at)}</time>
              {m.direction === 'outbound' && m.delivery_status && (
                <Badge tone={STATUS_TONE[m.delivery_status] ?? 'neutral'}>{m.delivery_status}</Badge>
              )}
            </div>
            {m.subject && <div className="msg__subject"><strong>{m.subject}</strong></div>}
            <div className="msg__body">{m.content}</div>
            {m.delivery_status === 'failed' && m.delivery_error && (
              <small className="field__error">Not delivered: {JSON.stringify(m.delivery_error)}</small>
            )}
          </li>
        );
      })}
      <li ref={end} aria-hidden="true" />
    </ol>
  );
}

function displayName(c: ConversationItem['customer']) {
  return c.name || c.email || c.phone || 'Unknown customer';
}

/** Needs-a-person first, then most recent activity. */
export function sortConversations(items: ConversationItem[]): ConversationItem[] {
  return [...items].sort(
    (a, b) =>
      Number(b.lead?.needs_human ?? false) - Number(a.lead?.needs_human ?? false) ||
      b.last_activity_at.localeCompare(a.last_activity_at),
  );
}

function ConversationRow({ c, current }: { c: ConversationItem; current: boolean }) {
  const name = displayName(c.customer);
  const needs = c.lead?.needs_human ?? false;
  const label = [name, needs ? 'needs a person' : null, c.unread ? `${c.unread} unread` : null].filter(Boolean).join(', ');
  return (
    <li className={`conv ${c.unread ? 'conv--unread' : ''}`}>
      <Link to={`/inbox/${c.customer.id}`} aria-current={current ? 'page' : undefined} aria-label={label}>
        <span className="conv__top">
          <span className="conv__name">{name}</span>
          {needs && <Badge tone="danger">Needs person</Badge>}
          {c.unread > 0 && <Badge tone="info">{c.unread}</Badge>}
          <span className="conv__time">{relativeTime(c.last_activity_at)}</span>
        </span>
        {c.last_message && (
          <span className="conv__preview">
            {CHANNEL_LABEL[c.last_message.channel]} · {authorLabel({ direction: c.last_message.direction, ai_response: null, author: c.last_message.author }, c.customer.name)}: {c.last_message.preview}
          </span>
        )}
      </Link>
    </li>
  );
}

function ReplyBox({ customerId, defaultChannel, hasPhone, hasEmail }: { customerId: string; defaultChannel: Channel; hasPhone: boolean; hasEmail: boolean }) {
  const qc = useQueryClient();
  const [channel, setChannel] = useState<'chat' | 'email' | 'sms'>(defaultChannel === 'form' ? 'email' : defaultChannel);
  const [content, setContent] = useState('');
  const [subject, setSubject] = useState('');
  useEffect(() => setChannel(defaultChannel === 'form' ? 'email' : defaultChannel), [defaultChannel, customerId]);
  const send = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/messages/send/{channel}', {
          params: { path: { channel } },
          body: { customer_id: customerId, content, ...(channel === 'email' && subject ? { subject } : {}) },
        }),
      ),
    onSuccess: () => {
      setContent('');
      setSubject('');
      void qc.invalidateQueries({ queryKey: ['messages', customerId] });
      void qc.invalidateQueries({ queryKey: ['conversations'] });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    if (content.trim()) send.mutate();
  }
  return (
    <form className="reply card" onSubmit={submit} aria-label="Reply to the customer">
      <div className="row">
        <SelectField label="Send by" value={channel} onChange={(e) => setChannel(e.target.value as typeof channel)}>
          <option value="chat">Chat</option>
          <option value="email" disabled={!hasEmail}>E-mail</option>
          <option value="sms" disabled={!hasPhone}>SMS</option>
        </SelectField>
        {channel === 'email' && (
          <TextField label="Subject" value={subject} onChange={(e) => setSubject(e.target.value)} error={fieldError(send.error, 'subject')} />
        )}
      </div>
      <TextArea
        label="Reply"
        value={content}
        onChange={(e) => setContent(e.target.value)}
        rows={3}
        error={fieldError(send.error, 'content')}
        hint="Sending pauses the AI's replies to this customer for a while."
      />
      <FormError error={send.error} fields={['content', 'subject']} />
      <div className="row">
        <button type="submit" className="btn btn--primary" disabled={send.isPending || !content.trim()}>
          {send.isPending ? 'Sending…' : 'Send reply'}
        </button>
      </div>
    </form>
  );
}

function Thread({ customerId, conv }: { customerId: string; conv: ConversationItem | undefined }) {
  const { can } = useAuth();
  const qc = useQueryClient();
  const customer = useQuery({
    queryKey: ['customer', customerId],
    queryFn: () => call(api.GET('/api/crm/customers/{id}', { params: { path: { id: customerId } } })),
  });
  const messages = useQuery({
    queryKey: ['messages', customerId],
    queryFn: () => call(api.GET('/api/messages', { params: { query: { customer_id: customerId, limit: 200 } } })),
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
  });
  const items = (messages.data?.items ?? []) as ThreadMessage[];
  // The newest customer message shown: a count would stop changing once the thread holds
  // more messages than one page.
  const newestInbound = items.reduce<string>(
    (newest, m) => (m.direction === 'inbound' && m.created_at > newest ? m.created_at : newest),
    '',
  );

  // Opening a thread (and each new customer message seen while open) marks it read. Read
  // marks are each caller's own, viewers' included.
  const read = useMutation({
    mutationFn: () => call(api.POST('/api/conversations/{customer_id}/read', { params: { path: { customer_id: customerId } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['conversations'] }),
  });
  const markRead = read.mutate;
  useEffect(() => {
    if (messages.isSuccess) markRead();
  }, [customerId, newestInbound, messages.isSuccess, markRead]);

  const resume = useMutation({
    mutationFn: () => call(api.POST('/api/conversations/{customer_id}/resume-ai', { params: { path: { customer_id: customerId } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['conversations'] });
      void qc.invalidateQueries({ queryKey: ['leads'] });
    },
  });

  const name = customer.data?.name ?? conv?.customer.name ?? null;
  const lastInbound = [...items].filter((m) => m.direction === 'inbound').sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
  const paused = conv?.ai_paused_until && Date.parse(conv.ai_paused_until) > Date.now();
  const needsHuman = conv?.lead?.needs_human ?? false;

  return (
    <section className="thread" aria-labelledby="thread-title">
      <div className="thread__head">
        <h2 id="thread-title">{name ?? customer.data?.email ?? 'Conversation'}</h2>
        {conv?.lead && (
          <Link to={`/leads/${conv.lead.id}`} className="badge badge--info">
            Lead: {conv.lead.status}
          </Link>
        )}
        {needsHuman && <Badge tone="danger">Needs a person{conv?.lead?.handoff_reason ? ` (${conv.lead.handoff_reason})` : ''}</Badge>}
        {paused && <Badge tone="warn">AI paused until {formatDateTime(conv!.ai_paused_until!)}</Badge>}
        {can.write && (needsHuman || paused) && (
          <button type="button" className="btn btn--small" onClick={() => resume.mutate()} disabled={resume.isPending}>
            Hand back to AI
          </button>
        )}
      </div>
      <FormError error={resume.error} />
      <QueryState q={messages} label="messages">
        <ThreadMessages messages={items} customerName={name} />
      </QueryState>
      {can.write ? (
        <ReplyBox
          customerId={customerId}
          defaultChannel={(lastInbound?.channel as Channel | undefined) ?? 'chat'}
          hasEmail={!!(customer.data?.email ?? conv?.customer.email)}
          hasPhone={!!(customer.data?.phone ?? conv?.customer.phone)}
        />
      ) : (
        <p className="muted">Viewers can read conversations but not reply.</p>
      )}
    </section>
  );
}

export default function Inbox() {
  const { customerId } = useParams();
  const [params, setParams] = useSearchParams();
  const needsHuman = params.get('needs_human') === 'true';
  const channel = (params.get('channel') ?? '') as Channel | '';

  const convs = useInfiniteQuery({
    queryKey: ['conversations', { needsHuman, channel }],
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/conversations', {
          params: {
            query: {
              limit: 50,
              ...(needsHuman ? { needs_human: true } : {}),
              ...(channel ? { channel } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false, // polling pauses while the tab is hidden
  });
  const items = useMemo(() => sortConversations(convs.data?.pages.flatMap((p) => p.items) ?? []), [convs.data]);
  const current = items.find((c) => c.customer.id === customerId);

  function setFilter(k: string, v: string) {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  }

  return (
    <>
      <PageHeader title="Inbox" />
      <div className={`inbox ${customerId ? 'inbox--thread' : ''}`}>
        <div className="convs-wrap stack">
          <div className="filters">
            <label className="check">
              <input type="checkbox" checked={needsHuman} onChange={(e) => setFilter('needs_human', e.target.checked ? 'true' : '')} />
              Needs a person only
            </label>
            <SelectField label="Channel" value={channel} onChange={(e) => setFilter('channel', e.target.value)}>
              <option value="">All channels</option>
              <option value="sms">SMS</option>
              <option value="email">E-mail</option>
              <option value="chat">Chat</option>
              <option value="form">Form</option>
            </SelectField>
          </div>
          <QueryState q={convs} label="conversations">
            {items.length === 0 ? (
              <p className="muted">No conversations.</p>
            ) : (
              <ul className="convs" aria-label="Conversations">
                {items.map((c) => (
                  <ConversationRow key={c.customer.id} c={c} current={c.customer.id === customerId} />
                ))}
              </ul>
            )}
            <LoadMore q={convs} />
          </QueryState>
        </div>
        {customerId ? (
          <div className="stack">
            <Link to="/inbox" className="back-link">
              ← All conversations
            </Link>
            <Thread key={customerId} customerId={customerId} conv={current} />
          </div>
        ) : (
          <p className="muted thread">Choose a conversation.</p>
        )}
      </div>
    </>
  );
}
