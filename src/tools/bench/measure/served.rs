//! How long the API instances themselves took to answer, from their own latency histograms
//! (`rinha_http_request_duration_seconds`, every route): set beside what k6 measured, it
//! splits a run's latency into the instances' part and the rest (NGINX, the kernel's
//! sockets and wake-ups, k6 itself).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::sampler::{metrics_client, metrics_text};
use crate::tools::stack::Stack;

const DURATIONS: &str = "rinha_http_request_duration_seconds";
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(2);

/// Each API instance's histograms now, in the stack's order of services; `None` for a
/// service without metrics, or an instance that did not answer.
pub async fn read(stack: &Stack) -> Vec<Option<Buckets>> {
    let mut histograms = Vec::with_capacity(stack.services.len());
    for service in &stack.services {
        let client = service
            .metrics
            .as_deref()
            .and_then(|socket| metrics_client(socket, SCRAPE_TIMEOUT));
        let text = match client {
            Some(client) => metrics_text(&client).await,
            None => None,
        };
        histograms.push(text.as_deref().and_then(Buckets::from_scrape));
    }
    histograms
}

/// A cumulative histogram: (upper bound in seconds, requests at or under it), bounds rising.
#[derive(Debug, Clone, PartialEq)]
pub struct Buckets(Vec<(f64, f64)>);

impl Buckets {
    /// Every route's histogram of one scrape, added up; `None` when it has none.
    ///
    /// Read line by line rather than with `prometheus-parse`, whose sample pattern ends a
    /// label set at its first `}` and so drops every sample of a route such as
    /// `/clientes/{id}/transacoes`. prometheus-client writes one sample per line, its value
    /// last.
    pub fn from_scrape(text: &str) -> Option<Self> {
        let mut sums: Vec<(f64, f64)> = Vec::new();
        let bucket = format!("{DURATIONS}_bucket{{");
        for labels in text.lines().filter_map(|l| l.strip_prefix(bucket.as_str())) {
            let le = labels.split("le=\"").nth(1)?.split('"').next()?;
            let bound = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            let count: f64 = labels.rsplit(' ').next()?.parse().ok()?;
            match sums.iter_mut().find(|(le, _)| *le == bound) {
                Some((_, n)) => *n += count,
                None => sums.push((bound, count)),
            }
        }
        sums.sort_by(|a, b| a.0.total_cmp(&b.0));
        (!sums.is_empty()).then_some(Self(sums))
    }

    /// Combines two histograms of the same bounds bucket by bucket.
    fn zip(&self, other: &Self, f: impl Fn(f64, f64) -> f64) -> Self {
        Self(
            self.0
                .iter()
                .zip(&other.0)
                .map(|(&(le, a), &(_, b))| (le, f(a, b)))
                .collect(),
        )
    }

    /// What an instance answered between two scrapes. An instance started again in between
    /// counts from zero: its second scrape is all it answered since.
    fn since(&self, before: &Self) -> Self {
        let restarted = self.0.iter().zip(&before.0).any(|(a, b)| a.1 < b.1);
        if restarted {
            self.clone()
        } else {
            self.zip(before, |a, b| a - b)
        }
    }

    fn add(&self, other: &Self) -> Self {
        self.zip(other, |a, b| a + b)
    }

    fn count(&self) -> f64 {
        self.0.last().map_or(0.0, |(_, n)| *n)
    }

    /// The `q` quantile in seconds, interpolated linearly inside its bucket as Prometheus'
    /// `histogram_quantile` does; `None` with no requests or past the last finite bound.
    fn quantile(&self, q: f64) -> Option<f64> {
        let rank = q * self.count();
        let mut below = (0.0, 0.0);
        for &(le, n) in &self.0 {
            if n >= rank && n > 0.0 {
                if le.is_infinite() {
                    return None;
                }
                let (lower, before) = below;
                return Some(lower + (le - lower) * (rank - before) / (n - before));
            }
            below = (le, n);
        }
        None
    }
}

/// The instances' answers during the run, all routes together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Served {
    pub requests: u64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

impl Served {
    /// What every instance answered between two readings of [`read`]; `None` unless each
    /// instance with metrics answered both.
    pub fn between(before: &[Option<Buckets>], after: &[Option<Buckets>]) -> Option<Self> {
        let mut total: Option<Buckets> = None;
        for (b, a) in before.iter().zip(after) {
            let run = match (b, a) {
                (None, None) => continue,
                (Some(b), Some(a)) => a.since(b),
                _ => return None,
            };
            total = Some(match total {
                Some(t) => t.add(&run),
                None => run,
            });
        }
        total.as_ref().map(Self::of)
    }

    fn of(buckets: &Buckets) -> Self {
        Self {
            requests: buckets.count() as u64,
            p50_ms: buckets.quantile(0.5).map(|s| s * 1000.0),
            p99_ms: buckets.quantile(0.99).map(|s| s * 1000.0),
        }
    }

    /// One line of the table and one sentence of the page.
    pub fn sentence(&self) -> String {
        let ms =
            |v: Option<f64>| v.map_or("past the last bound".to_owned(), |v| format!("{v:.2} ms"));
        format!(
            "inside the instances (their own histograms, every route): {} requests, p50 {}, \
             p99 {}; what k6 saw beyond that is the balancer, the kernel and k6 itself",
            self.requests,
            ms(self.p50_ms),
            ms(self.p99_ms)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrape(payments: [u64; 4], summary: [u64; 4]) -> String {
        let bounds = ["0.001", "0.0025", "0.005", "+Inf"];
        let mut text = format!(
            "# HELP {DURATIONS} How long each request took.\n# TYPE {DURATIONS} histogram\n"
        );
        for (route, counts) in [("/payments", payments), ("/clientes/{id}/extrato", summary)] {
            let sum = 0.001 * counts[3] as f64;
            text += &format!("{DURATIONS}_sum{{route=\"{route}\"}} {sum}\n");
            text += &format!("{DURATIONS}_count{{route=\"{route}\"}} {}\n", counts[3]);
            for (le, n) in bounds.iter().zip(counts) {
                text += &format!("{DURATIONS}_bucket{{le=\"{le}\",route=\"{route}\"}} {n}\n");
            }
        }
        text + "# TYPE rinha_db_pool_size gauge\nrinha_db_pool_size 1\n# EOF\n"
    }

    #[test]
    fn every_route_is_added_up_and_quantiles_interpolate_inside_their_bucket() {
        let b = Buckets::from_scrape(&scrape([60, 90, 100, 100], [0, 0, 0, 0])).unwrap();
        let served = Served::of(&b);
        assert_eq!(served.requests, 100);
        // The 50th of 60 under 1 ms: five sixths of the way from 0 to 1 ms.
        assert!((served.p50_ms.unwrap() - 50.0 / 60.0).abs() < 1e-9);
        // The 99th: the 9th of the 10 in (2.5, 5] ms, nine tenths of the way through it.
        assert!((served.p99_ms.unwrap() - 4.75).abs() < 1e-9, "{served:?}");

        let both = Buckets::from_scrape(&scrape([60, 90, 100, 100], [10, 10, 10, 10])).unwrap();
        assert_eq!(Served::of(&both).requests, 110);
        assert_eq!(Buckets::from_scrape("# TYPE up gauge\nup 1\n# EOF\n"), None);
    }

    #[test]
    fn a_quantile_past_the_last_bound_is_unknown() {
        let b = Buckets::from_scrape(&scrape([0, 0, 50, 100], [0, 0, 0, 0])).unwrap();
        let served = Served::of(&b);
        assert_eq!(served.p99_ms, None);
        assert!(served.sentence().contains("p99 past the last bound"));
    }

    #[test]
    fn the_run_is_what_came_after_the_first_scrape_unless_the_instance_started_again() {
        let before = Buckets::from_scrape(&scrape([10, 10, 10, 10], [0, 0, 0, 0])).unwrap();
        let after = Buckets::from_scrape(&scrape([70, 100, 110, 110], [0, 0, 0, 0])).unwrap();
        assert_eq!(Served::of(&after.since(&before)).requests, 100);
        let restarted = Buckets::from_scrape(&scrape([5, 5, 5, 5], [0, 0, 0, 0])).unwrap();
        assert_eq!(Served::of(&restarted.since(&before)).requests, 5);

        let two = |a: &Buckets, b: &Buckets| vec![Some(a.clone()), None, Some(b.clone())];
        let run = Served::between(&two(&before, &before), &two(&after, &restarted)).unwrap();
        assert_eq!(run.requests, 105, "api1's 100 and the restarted api2's 5");
        let lost = vec![Some(after.clone()), None, None];
        assert_eq!(Served::between(&two(&before, &before), &lost), None);
    }
}
