import { describe, expect, it } from 'vitest';
import { addDays, placeInWeek, weekRange, weekStart, zonedDateKey, zonedTimeToUtc, formatDuration } from './time';

const CHI = 'America/Chicago';

describe('time zones', () => {
  it('turns business-local wall time into the right instant on both sides of DST', () => {
    // 2027-03-14 is the spring-forward Sunday in Chicago (CST -06:00 -> CDT -05:00).
    expect(zonedTimeToUtc('2027-03-12', 9, 0, CHI).toISOString()).toBe('2027-03-12T15:00:00.000Z');
    expect(zonedTimeToUtc('2027-03-15', 9, 0, CHI).toISOString()).toBe('2027-03-15T14:00:00.000Z');
    // 02:30 does not exist that day: it lands just past the gap (03:30 CDT).
    expect(zonedTimeToUtc('2027-03-14', 2, 30, CHI).toISOString()).toBe('2027-03-14T08:30:00.000Z');
    // 01:30 happens twice on 2027-11-07 (fall back): the first one (CDT).
    expect(zonedTimeToUtc('2027-11-07', 1, 30, CHI).toISOString()).toBe('2027-11-07T06:30:00.000Z');
  });

  it('finds the Monday of a week and the week as instants across the DST change', () => {
    expect(weekStart('2027-03-14')).toBe('2027-03-08');
    expect(weekStart('2027-03-15')).toBe('2027-03-15');
    expect(addDays('2027-02-27', 2)).toBe('2027-03-01');
    const { from, to } = weekRange('2027-03-08', CHI);
    expect(from.toISOString()).toBe('2027-03-08T06:00:00.000Z');
    expect(to.toISOString()).toBe('2027-03-15T05:00:00.000Z');
    // One hour short of 7 days: the week lost an hour.
    expect((to.getTime() - from.getTime()) / 3600_000).toBe(167);
  });

  it('places a late-evening UTC instant on the business-local day', () => {
    // 03:30Z on the 10th is still the 9th in Chicago.
    expect(zonedDateKey(new Date('2027-03-10T03:30:00Z'), CHI)).toBe('2027-03-09');
  });

  it('formats durations', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(0.44)).toBe('0.4s');
    expect(formatDuration(9.94)).toBe('9.9s');
    expect(formatDuration(9.96)).toBe('10s');
    expect(formatDuration(200)).toBe('3m 20s');
    expect(formatDuration(3900)).toBe('1h 05m');
  });

  it('keeps wall-clock rows across DST in a week grid', () => {
    const mon = '2027-03-08';
    // Friday 09:00 CST and Sunday (after the change) 09:00 CDT are both on the 09:00 row.
    const fri = placeInWeek(new Date('2027-03-12T15:00:00Z'), new Date('2027-03-12T16:00:00Z'), mon, CHI);
    const sun = placeInWeek(new Date('2027-03-14T14:00:00Z'), new Date('2027-03-14T15:00:00Z'), mon, CHI);
    expect(fri).toEqual({ day: 4, top: 540, length: 60 });
    expect(sun).toEqual({ day: 6, top: 540, length: 60 });
    // Outside the week.
    expect(placeInWeek(new Date('2027-03-15T14:00:00Z'), new Date('2027-03-15T15:00:00Z'), mon, CHI).day).toBe(-1);
  });
});
