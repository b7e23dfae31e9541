import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { Summary } from './Home';
import type { AnalyticsSummary } from '../api/types';
import { renderWithProviders } from '../test/render';

const summary: AnalyticsSummary = {
  from: '2027-03-01',
  to: '2027-03-14',
  time_zone: 'America/Chicago',
  speed_to_lead: {
    today: { median_seconds: 42, p90_seconds: 200, count: 5 },
    range: { median_seconds: 3900, p90_seconds: null, count: 80 },
  },
  leads_by_channel: { sms: 12, email: 7, chat: 30, form: 1 },
  funnel: { new: 50, contacted: 40, qualified: 10, won: 4 },
  bookings_this_week: 6,
  needs_human: 3,
  daily: [
    { date: '2027-03-13', leads: 4, inbound: 10, replies: 9, median_seconds: 30 },
    { date: '2027-03-14', leads: 2, inbound: 5, replies: 5, median_seconds: null },
  ],
  refreshed_at: '2027-03-14T12:00:00Z',
};

describe('Summary', () => {
  it('shows speed to lead, bookings and needs-human figures', () => {
    renderWithProviders(<Summary s={summary} />);
    expect(screen.getByTestId('speed-today-median').textContent).toBe('42s');
    expect(screen.getByText(/p90 3m 20s · 5 leads/)).toBeTruthy();
    expect(screen.getByTestId('speed-range-median').textContent).toBe('1h 05m');
    expect(screen.getByText(/p90 — · 80 leads/)).toBeTruthy();
    expect(screen.getByTestId('bookings-week').textContent).toBe('6');
    expect(screen.getByTestId('needs-human').textContent).toBe('3');
  });

  it('renders the funnel in order with conversion from the step before', () => {
    renderWithProviders(<Summary s={summary} />);
    const funnel = screen.getByRole('list', { name: 'Lead funnel' });
    const steps = within(funnel).getAllByRole('listitem');
    expect(steps.map((s) => s.textContent)).toEqual([
      'New50',
      'Contacted40 (80% of new)',
      'Qualified10 (25% of contacted)',
      'Won4 (40% of qualified)',
    ]);
    const fills = funnel.querySelectorAll<HTMLElement>('.funnel__fill');
    expect(fills[0]!.style.width).toBe('100%');
    expect(fills[3]!.style.width).toBe('8%');
  });

  it('charts leads by channel with a text alternative', () => {
    renderWithProviders(<Summary s={summary} />);
    const table = screen.getByRole('table', { name: 'Leads by channel' });
    const rows = within(table).getAllByRole('row').map((r) => r.textContent);
    expect(rows).toEqual(['SMS12', 'E-mail7', 'Chat30', 'Form1']);
    expect(screen.getByRole('img', { name: 'Leads by channel' })).toBeTruthy();
    const daily = screen.getByRole('table', { name: 'Daily activity' });
    expect(within(daily).getAllByRole('row')).toHaveLength(3);
  });
});
