//! The benchmark's shape (two weeks, 500 bookings) checked slot by slot against the
//! one-by-one reference.

use super::*;

/// Deterministic pseudo-random numbers (64-bit LCG) for the large scenario.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: i64) -> i64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as i64
    }
}

#[test]
fn two_weeks_with_500_bookings_match_the_one_by_one_check() {
    let hours = every_day(&["08:00-12:00", "13:00-20:00"]);
    let chicago = zone("America/Chicago");
    // Two weeks over the spring-forward change of 2027-03-14.
    let from = utc("2027-03-08T06:00:00Z");
    let mut rng = Lcg(7);
    let mut scattered = |count: usize, step: i64, shortest: i64, longest: i64| -> Vec<Interval> {
        (0..count)
            .map(|_| {
                let start = from + Duration::minutes(rng.below(15 * 1440 / step) * step - 1440);
                Interval { start, end: start + Duration::minutes(shortest + rng.below(longest - shortest + 1)) }
            })
            .collect()
    };
    let bookings = scattered(500, 15, 15, 30);
    let busy = scattered(40, 1, 10, 120);
    let c = cal(&hours, chicago, &bookings, &busy);
    let r = SlotRules { min_notice: Duration::hours(4), horizon: Duration::days(13), ..buffered(5, 5) };
    let now = from - Duration::hours(1);
    let to = from + Duration::days(14);
    let slots = open_slots(&c, &r, now, from, to);

    let mut expected = Vec::new();
    let mut seen = [0; 6];
    for t in (0..14 * 1440).map(|m| from + Duration::minutes(m)).filter(|t| t.minute() % 30 == 0) {
        let verdict = naive_check(&c, &r, now, t);
        seen[match verdict {
            Ok(()) => 0,
            Err(SlotProblem::TooSoon { .. }) => 1,
            Err(SlotProblem::BeyondHorizon { .. }) => 2,
            Err(SlotProblem::OutsideHours) => 3,
            Err(SlotProblem::Busy) => 4,
            Err(SlotProblem::InBuffer) => 5,
        }] += 1;
        if verdict.is_ok() {
            expected.push(t);
        }
    }
    assert!(seen.iter().all(|n| *n > 0), "every verdict occurs: {seen:?}");
    assert!(expected.len() > 50, "the scenario leaves room: {seen:?}");
    assert_eq!(slots, expected);
}
