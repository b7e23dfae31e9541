import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import { Board, type Lead } from './Leads';
import { allowedMoves, canBecome } from '../lib/leadStatus';
import { renderWithProviders } from '../test/render';

function lead(id: string, status: Lead['status']): Lead {
  return {
    id,
    customer_id: `c-${id}`,
    status,
    quality_score: 50,
    priority: 'medium',
    needs_human: false,
    created_at: '2027-03-01T10:00:00Z',
    updated_at: '2027-03-01T10:00:00Z',
  } as Lead;
}

const leads = [lead('a', 'new'), lead('b', 'contacted'), lead('c', 'qualified'), lead('d', 'won'), lead('e', 'lost')];
const names = (l: Lead) => `Customer ${l.id.toUpperCase()}`;

function moveOptions(name: string) {
  const select = screen.getByRole('combobox', { name: `Move ${name} to` });
  return within(select)
    .getAllByRole('option')
    .map((o) => (o as HTMLOptionElement).value)
    .filter(Boolean);
}

describe('lead funnel rules', () => {
  it('match the API: new → contacted → qualified → won | lost; won/lost reopen as contacted', () => {
    expect(allowedMoves('new')).toEqual(['contacted']);
    expect(allowedMoves('contacted')).toEqual(['qualified']);
    expect(allowedMoves('qualified')).toEqual(['won', 'lost']);
    expect(allowedMoves('won')).toEqual(['contacted']);
    expect(allowedMoves('lost')).toEqual(['contacted']);
    expect(canBecome('new', 'qualified')).toBe(false);
    expect(canBecome('won', 'lost')).toBe(false);
  });
});

describe('Board', () => {
  it('puts each lead in its status column', () => {
    renderWithProviders(<Board leads={leads} names={names} canMove onMove={() => {}} />);
    const col = screen.getByRole('region', { name: /Qualified/ });
    expect(within(col).getByText('Customer C')).toBeTruthy();
    expect(within(col).queryByText('Customer A')).toBeNull();
  });

  it('offers only the allowed moves for each card', () => {
    renderWithProviders(<Board leads={leads} names={names} canMove onMove={() => {}} />);
    expect(moveOptions('Customer A')).toEqual(['contacted']);
    expect(moveOptions('Customer B')).toEqual(['qualified']);
    expect(moveOptions('Customer C')).toEqual(['won', 'lost']);
    expect(moveOptions('Customer D')).toEqual(['contacted']);
    expect(moveOptions('Customer E')).toEqual(['contacted']);
  });

  it('moves through the "Move to" control', () => {
    const onMove = vi.fn();
    renderWithProviders(<Board leads={leads} names={names} canMove onMove={onMove} />);
    fireEvent.change(screen.getByRole('combobox', { name: 'Move Customer C to' }), { target: { value: 'lost' } });
    expect(onMove).toHaveBeenCalledWith(expect.objectContaining({ id: 'c' }), 'lost');
  });

  it('accepts a drop only on a column the funnel allows', () => {
    const onMove = vi.fn();
    renderWithProviders(<Board leads={leads} names={names} canMove onMove={onMove} />);
    const store = new Map<string, string>();
    const dataTransfer = {
      setData: (k: string, v: string) => store.set(k, v),
      getData: (k: string) => store.get(k) ?? '',
      get types() {
        return [...store.keys()];
      },
      effectAllowed: 'all',
      dropEffect: 'none',
    };
    const card = screen.getByText('Customer A').closest('li')!;
    fireEvent.dragStart(card, { dataTransfer });
    // new → won is not a move the funnel allows: dropping there does nothing.
    fireEvent.drop(screen.getByRole('region', { name: /Won/ }), { dataTransfer });
    expect(onMove).not.toHaveBeenCalled();
    fireEvent.dragStart(card, { dataTransfer });
    fireEvent.drop(screen.getByRole('region', { name: /Contacted/ }), { dataTransfer });
    expect(onMove).toHaveBeenCalledTimes(1);
    expect(onMove).toHaveBeenCalledWith(expect.objectContaining({ id: 'a' }), 'contacted');
  });

  it('offers no moves to a viewer', () => {
    renderWithProviders(<Board leads={leads} names={names} canMove={false} onMove={() => {}} />);
    expect(screen.queryAllByRole('combobox')).toHaveLength(0);
  });
});
