import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { WeekGrid, type CalEvent } from './Bookings';
import { renderWithProviders } from '../test/render';

const CHI = 'America/Chicago';

function ev(id: string, startIso: string, minutes = 60): CalEvent {
  const start = new Date(startIso);
  return { id, start, end: new Date(start.getTime() + minutes * 60000), title: `Booking ${id}`, status: 'scheduled' };
}

describe('WeekGrid', () => {
  it('places bookings on their business-local day and wall-clock time across the DST change', () => {
    // Week of Mon 2027-03-08; DST starts Sun 2027-03-14 in Chicago.
    const events = [
      ev('fri', '2027-03-12T15:00:00Z'), // Fri 09:00 CST (-06:00)
      ev('sun', '2027-03-14T14:00:00Z'), // Sun 09:00 CDT (-05:00)
      ev('late', '2027-03-10T03:30:00Z'), // Tue 21:30 CST, although already Wednesday in UTC
      ev('next', '2027-03-15T14:00:00Z'), // next Monday: not shown
    ];
    const { container } = renderWithProviders(<WeekGrid monday="2027-03-08" tz={CHI} events={events} />);
    const cell = (date: string) => container.querySelector(`.cal__day[data-date="${date}"]`) as HTMLElement;
    const fri = within(cell('2027-03-12')).getByRole('button', { name: /Booking fri/ });
    const sun = within(cell('2027-03-14')).getByRole('button', { name: /Booking sun/ });
    const late = within(cell('2027-03-09')).getByRole('button', { name: /Booking late/ });
    // Same 09:00 row on both sides of the change.
    expect(fri.dataset.topMinutes).toBe('540');
    expect(sun.dataset.topMinutes).toBe('540');
    expect(fri.style.top).toBe(sun.style.top);
    expect(late.dataset.topMinutes).toBe(String(21 * 60 + 30));
    expect(screen.queryByRole('button', { name: /Booking next/ })).toBeNull();
  });

  it('shows the same instant on a different day in another business zone', () => {
    const events = [ev('x', '2027-03-10T03:30:00Z')];
    const { container } = renderWithProviders(<WeekGrid monday="2027-03-08" tz="Europe/Berlin" events={events} />);
    const btn = screen.getByRole('button', { name: /Booking x/ });
    expect(btn.closest('.cal__day')!.getAttribute('data-date')).toBe('2027-03-10');
    expect(btn.dataset.topMinutes).toBe(String(4 * 60 + 30));
    expect(container.querySelectorAll('.cal__day')).toHaveLength(7);
  });

  it('labels the week with the zone and each day', () => {
    renderWithProviders(<WeekGrid monday="2027-11-01" tz={CHI} events={[]} />);
    expect(screen.getByRole('region', { name: /America\/Chicago/ })).toBeTruthy();
    expect(screen.getAllByRole('group')).toHaveLength(7);
  });
});
