// The conversation as the widget shows it: the server's messages (read newest first, a
// page at a time, again and again while polling) merged by id into one list in time
// order, with what was just accepted shown until the server's copy arrives.
import type { ChatMessage } from './api';

export class Conversation {
  private byId = new Map<string, ChatMessage>();
  /** Accepted by the server but not yet read back: id → local copy. */
  private local = new Set<string>();

  /** Merges a page from the chat endpoint; answers whether anything changed. */
  merge(items: readonly ChatMessage[]): boolean {
    let changed = false;
    for (const m of items) {
      const had = this.byId.get(m.id);
      if (this.local.delete(m.id) || !had || !same(had, m)) {
        this.byId.set(m.id, m);
        changed = true;
      }
    }
    return changed;
  }

  /** Shows an accepted message before the server's copy is read back. */
  addLocal(id: string, content: string, at = new Date()): void {
    if (this.byId.has(id)) return;
    this.byId.set(id, { id, direction: 'inbound', content, created_at: at.toISOString(), author: { kind: 'customer' } });
    this.local.add(id);
  }

  clear(): void {
    this.byId.clear();
    this.local.clear();
  }

  get size(): number {
    return this.byId.size;
  }

  /** Oldest first. */
  list(): ChatMessage[] {
    return [...this.byId.values()].sort(
      (a, b) => time(a.created_at) - time(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }

  last(): ChatMessage | undefined {
    const l = this.list();
    return l[l.length - 1];
  }

  /** Whether the visitor's last word is still unanswered (the newest message is theirs). */
  awaitingReply(): boolean {
    const last = this.last();
    return !!last && last.direction === 'inbound';
  }
}

function time(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

function same(a: ChatMessage, b: ChatMessage): boolean {
  return (
    a.content === b.content &&
    a.created_at === b.created_at &&
    a.delivery_status === b.delivery_status &&
    a.author?.kind === b.author?.kind &&
    a.author?.name === b.author?.name
  );
}
