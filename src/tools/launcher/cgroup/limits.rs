//! What a group is given and what it reports: its limits, and how often the kernel held it
//! back for them.

use serde::{Deserialize, Serialize};

/// A service's CPU quota (in CPUs) and memory limit (in MiB).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub cpus: f64,
    pub memory_mb: u64,
}

impl Limits {
    pub fn memory_bytes(self) -> u64 {
        self.memory_mb * 1024 * 1024
    }
}

/// The CFS bandwidth controller's counters of a group so far: each period (100 ms) in which
/// the group ran, those that ended with it throttled (its quota spent before the period's
/// end), and how long its threads waited for the next period meanwhile, summed over the
/// CPUs (so it may exceed the wall-clock time).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Throttling {
    pub periods: u64,
    pub throttled_periods: u64,
    pub throttled_seconds: f64,
}

impl Throttling {
    /// Reads `cpu.stat`: v1 counts the throttled time in nanoseconds (`throttled_time`),
    /// v2 in microseconds (`throttled_usec`).
    pub fn parse(stat: &str) -> Option<Self> {
        let value = |key: &str| {
            stat.lines().find_map(|line| {
                let (k, v) = line.split_once(' ')?;
                (k == key).then(|| v.trim().parse::<u64>().ok()).flatten()
            })
        };
        let throttled_seconds = match value("throttled_usec") {
            Some(usec) => usec as f64 / 1e6,
            None => value("throttled_time")? as f64 / 1e9,
        };
        Some(Self {
            periods: value("nr_periods")?,
            throttled_periods: value("nr_throttled")?,
            throttled_seconds,
        })
    }

    /// What was counted since `before`.
    pub fn since(&self, before: &Self) -> Self {
        Self {
            periods: self.periods.saturating_sub(before.periods),
            throttled_periods: self
                .throttled_periods
                .saturating_sub(before.throttled_periods),
            throttled_seconds: (self.throttled_seconds - before.throttled_seconds).max(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v1_cpu_stat_counts_the_throttled_time_in_nanoseconds() {
        let stat = "nr_periods 600\nnr_throttled 42\nthrottled_time 1250000000\nnr_bursts 0\nburst_time 0\n";

        assert_eq!(
            Throttling::parse(stat),
            Some(Throttling {
                periods: 600,
                throttled_periods: 42,
                throttled_seconds: 1.25,
            })
        );
    }

    #[test]
    fn a_v2_cpu_stat_counts_it_in_microseconds() {
        let stat = "usage_usec 8000000\nuser_usec 6000000\nsystem_usec 2000000\n\
                    nr_periods 600\nnr_throttled 42\nthrottled_usec 1250000\nnr_bursts 0\nburst_usec 0\n";

        assert_eq!(
            Throttling::parse(stat),
            Some(Throttling {
                periods: 600,
                throttled_periods: 42,
                throttled_seconds: 1.25,
            })
        );
    }

    #[test]
    fn a_cpu_stat_without_the_bandwidth_counters_is_nothing() {
        assert_eq!(Throttling::parse("usage_usec 8000000\n"), None);
        assert_eq!(
            Throttling::parse("nr_periods 1\nnr_throttled x\nthrottled_usec 0\n"),
            None
        );
    }

    #[test]
    fn what_was_throttled_since_a_reading_is_the_difference() {
        let before = Throttling {
            periods: 100,
            throttled_periods: 5,
            throttled_seconds: 0.5,
        };
        let after = Throttling {
            periods: 110,
            throttled_periods: 8,
            throttled_seconds: 0.75,
        };

        assert_eq!(
            after.since(&before),
            Throttling {
                periods: 10,
                throttled_periods: 3,
                throttled_seconds: 0.25,
            }
        );
    }
}
