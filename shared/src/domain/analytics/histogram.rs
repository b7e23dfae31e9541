//! A mergeable latency histogram: fixed log-spaced buckets, so a day's histogram is
//! stored once and any range of days is the bucket-wise sum of its days.
//!
//! Resolution: bucket `i ≥ 1` holds `[FLOOR·RATIO^(i-1), FLOOR·RATIO^i)` with `RATIO` =
//! 1.05, and a percentile is read inside the bucket that holds its rank, so the reported
//! value is within 5% of the exact one for latencies from 0.1 s to the 30-day ceiling.
//! Below 0.1 s (bucket 0) the error is under 0.1 s; above the ceiling, values are
//! counted in the last bucket and reported as the ceiling.

use serde::{Deserialize, Serialize};

/// Lower edge of the first logarithmic bucket, in seconds.
const FLOOR: f64 = 0.1;
const RATIO: f64 = 1.05;
/// 30 days: a reply later than that is reported as 30 days.
const CEILING: f64 = 30.0 * 24.0 * 3600.0;

/// The number of buckets: bucket 0 below `FLOOR`, then log buckets up to `CEILING`.
pub const BUCKETS: usize = 351;

/// Counts per bucket, sparse: `(bucket, count)` pairs in bucket order, no zero counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Histogram(Vec<(u16, u64)>);

fn bucket_of(seconds: f64) -> u16 {
    if seconds.is_nan() || seconds < FLOOR {
        return 0;
    }
    let estimate = (((seconds / FLOOR).ln() / RATIO.ln()).floor() as usize + 1).min(BUCKETS - 1);
    // The logarithm can land a value at a bucket edge one bucket off either way; the
    // edges themselves decide.
    let bucket = if estimate > 1 && seconds < lower_edge(estimate) {
        estimate - 1
    } else if estimate < BUCKETS - 1 && seconds >= lower_edge(estimate + 1) {
        estimate + 1
    } else {
        estimate
    };
    bucket as u16
}

fn lower_edge(bucket: usize) -> f64 {
    if bucket == 0 { 0.0 } else { FLOOR * RATIO.powi(bucket as i32 - 1) }
}

impl Histogram {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn record(&mut self, seconds: f64) {
        self.add(bucket_of(seconds), 1);
    }

    fn add(&mut self, bucket: u16, count: u64) {
        if count == 0 {
            return;
        }
        match self.0.binary_search_by_key(&bucket, |(b, _)| *b) {
            Ok(at) => self.0[at].1 += count,
            Err(at) => self.0.insert(at, (bucket, count)),
        }
    }

    pub fn merge(&mut self, other: &Histogram) {
        for &(bucket, count) in &other.0 {
            self.add(bucket, count);
        }
    }

    pub fn count(&self) -> u64 {
        self.0.iter().map(|(_, c)| c).sum()
    }

    /// Whether every pair names a real bucket, once, in order: a stored histogram is
    /// checked before it is trusted.
    pub fn is_valid(&self) -> bool {
        self.0.iter().all(|(b, c)| usize::from(*b) < BUCKETS && *c > 0) && self.0.windows(2).all(|w| w[0].0 < w[1].0)
    }

    /// The `q`-quantile (0 < q ≤ 1) by nearest rank: the value of rank ⌈q·n⌉, estimated
    /// inside its bucket by spreading the bucket's values evenly on a log scale (linearly
    /// in bucket 0). `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).clamp(1, n);
        let mut before = 0;
        for &(bucket, count) in &self.0 {
            if before + count >= rank {
                // The rank's position inside the bucket, at the middle of its share.
                let within = ((rank - before) as f64 - 0.5) / count as f64;
                let bucket = usize::from(bucket);
                if bucket == BUCKETS - 1 {
                    return Some(CEILING);
                }
                let (lo, hi) = (lower_edge(bucket), lower_edge(bucket + 1));
                return Some(if bucket == 0 { hi * within } else { lo * (hi / lo).powf(within) });
            }
            before += count;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(values: &mut [f64], q: f64) -> f64 {
        values.sort_by(f64::total_cmp);
        let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
        values[rank - 1]
    }

    #[test]
    fn quantiles_are_within_five_percent_of_the_exact_ones() {
        let mut values: Vec<f64> = (0..1000).map(|i| 0.1 + f64::from(i).powf(1.7) * 0.37).collect();
        let mut h = Histogram::new();
        for v in &values {
            h.record(*v);
        }
        for q in [0.01, 0.25, 0.5, 0.9, 0.99, 1.0] {
            let want = exact(&mut values, q);
            let got = h.quantile(q).unwrap();
            assert!((got - want).abs() / want <= 0.05, "q={q}: {got} against {want}");
        }
    }

    #[test]
    fn merging_days_equals_recording_them_together() {
        let (mut a, mut b, mut all) = (Histogram::new(), Histogram::new(), Histogram::new());
        for v in [1.0, 2.0, 3.0, 40.0] {
            a.record(v);
            all.record(v);
        }
        for v in [2.0, 5.0, 600.0] {
            b.record(v);
            all.record(v);
        }
        a.merge(&b);
        assert_eq!(a, all);
        assert_eq!(a.count(), 7);
        assert!(a.is_valid());
    }

    #[test]
    fn an_empty_histogram_has_no_quantile() {
        assert_eq!(Histogram::new().quantile(0.5), None);
    }

    #[test]
    fn one_value_is_its_own_median_and_p90() {
        let mut h = Histogram::new();
        h.record(4.2);
        for q in [0.5, 0.9] {
            let got = h.quantile(q).unwrap();
            assert!((got - 4.2).abs() / 4.2 <= 0.05, "{got}");
        }
    }

    #[test]
    fn bucket_edges_belong_to_the_upper_bucket_and_extremes_are_clamped() {
        for bucket in 1..BUCKETS {
            let edge = lower_edge(bucket);
            assert_eq!(usize::from(bucket_of(edge)), bucket.min(BUCKETS - 1), "edge of {bucket}");
        }
        assert_eq!(bucket_of(0.0), 0);
        assert_eq!(bucket_of(-3.0), 0);
        assert_eq!(usize::from(bucket_of(1e12)), BUCKETS - 1);
        let mut h = Histogram::new();
        h.record(1e12);
        assert_eq!(h.quantile(0.5), Some(CEILING));
        let mut h = Histogram::new();
        h.record(0.05);
        assert!(h.quantile(0.5).unwrap() < FLOOR);
    }

    #[test]
    fn the_last_bucket_reaches_the_ceiling() {
        assert!(lower_edge(BUCKETS - 1) <= CEILING && lower_edge(BUCKETS) > CEILING);
    }

    #[test]
    fn stored_garbage_is_not_valid() {
        assert!(!Histogram(vec![(3, 1), (2, 1)]).is_valid());
        assert!(!Histogram(vec![(BUCKETS as u16, 1)]).is_valid());
        assert!(!Histogram(vec![(1, 0)]).is_valid());
    }
}
