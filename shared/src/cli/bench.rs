//! `leadflow bench-availability`: the in-process cost of computing open slots, for
//! `scripts/bench.sh`. Pure domain work (no database), so it measures the algorithm the
//! availability route and the booking check run, on a calendar as busy as asked.

use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone as _, Utc};

use crate::domain::availability::{Calendar, Interval, SlotRules, open_slots};
use crate::domain::{BusinessHours, TimeZone};

/// `n` half-hour bookings on distinct half hours of `days` days, scattered
/// deterministically and handed over unsorted, as the store returns them.
fn bookings(start: DateTime<Utc>, days: i64, n: usize) -> Vec<Interval> {
    let positions = usize::try_from(days * 48).unwrap_or(0);
    let mut taken = vec![false; positions];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut out = Vec::with_capacity(n);
    while out.len() < n.min(positions) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let i = usize::try_from(seed % positions as u64).unwrap_or(0);
        if !taken[i] {
            taken[i] = true;
            let at = start + Duration::minutes(i64::try_from(i).unwrap_or(0) * 30);
            out.push(Interval { start: at, end: at + Duration::minutes(30) });
        }
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

pub(super) fn availability(existing: usize, days: i64, runs: usize) -> Result<(), String> {
    let tz = TimeZone::parse("America/Chicago").map_err(|e| e.0)?;
    // Open round the clock, so 500 bookings fit one host's 14 days and leave gaps.
    let day = r#"["00:00-24:00"]"#;
    let hours: BusinessHours = serde_json::from_str(&format!(
        r#"{{"mon":{day},"tue":{day},"wed":{day},"thu":{day},"fri":{day},"sat":{day},"sun":{day}}}"#
    ))
    .map_err(|e| e.to_string())?;
    // Two weeks across the 2027-03-14 change to daylight time.
    let now = Utc.with_ymd_and_hms(2027, 3, 8, 6, 0, 0).single().ok_or("bad start")?;
    let booked = bookings(now, days, existing);
    let cal = Calendar { hours: &hours, tz, bookings: &booked, busy: &[] };
    let rules = SlotRules {
        duration: Duration::minutes(30),
        interval: Duration::minutes(15),
        buffer_before: Duration::minutes(0),
        buffer_after: Duration::minutes(0),
        min_notice: Duration::minutes(120),
        horizon: Duration::days(60),
    };
    let to = now + Duration::days(days);
    let mut micros = Vec::with_capacity(runs);
    let mut slots = 0;
    for _ in 0..runs {
        let started = Instant::now();
        slots = std::hint::black_box(open_slots(&cal, &rules, now, now, to)).len();
        micros.push(started.elapsed().as_secs_f64() * 1e6);
    }
    micros.sort_by(f64::total_cmp);
    println!("{:.1} {:.1} {slots}", percentile(&micros, 0.5), percentile(&micros, 0.99));
    Ok(())
}
