//! The PostgreSQL pools, read when scraped: no request pays for them.

use std::fmt;
use std::sync::{Arc, Mutex};

use deadpool::Status;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

type Watched = Box<dyn Fn() -> Status + Send + Sync>;

/// Every worker's pool, summed into `rinha_db_pool_size`, `_in_use` and `_waiting`.
#[derive(Clone, Default)]
pub struct DbPools(Arc<Mutex<Vec<Watched>>>);

impl fmt::Debug for DbPools {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pools = self.0.lock().map_or(0, |pools| pools.len());
        f.debug_struct("DbPools").field("pools", &pools).finish()
    }
}

impl DbPools {
    pub fn register(registry: &mut Registry) -> Self {
        let pools = Self::default();
        registry.register_collector(Box::new(pools.clone()));
        pools
    }

    /// Counts a pool in, by the function that reads its status.
    pub fn watch(&self, status: impl Fn() -> Status + Send + Sync + 'static) {
        self.0
            .lock()
            .expect("no one panics holding the pools")
            .push(Box::new(status));
    }

    /// The pools' statuses added up: (connections open, in use, callers waiting).
    fn totals(&self) -> (usize, usize, usize) {
        let pools = self.0.lock().expect("no one panics holding the pools");
        pools.iter().map(|status| status()).fold((0, 0, 0), |t, s| {
            (
                t.0 + s.size,
                t.1 + s.size.saturating_sub(s.available),
                t.2 + s.waiting,
            )
        })
    }
}

impl Collector for DbPools {
    /// The help ends with a full stop, as the registry writes its own metrics' help.
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), fmt::Error> {
        let (size, in_use, waiting) = self.totals();
        for (name, help, value) in [
            ("db_pool_size", "PostgreSQL connections open.", size),
            (
                "db_pool_in_use",
                "PostgreSQL connections serving a caller.",
                in_use,
            ),
            (
                "db_pool_waiting",
                "Callers waiting for a PostgreSQL connection.",
                waiting,
            ),
        ] {
            let gauge = ConstGauge::new(value as i64);
            gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::encoding::text::encode;

    #[test]
    fn the_pools_are_added_up_when_scraped() {
        let mut registry = crate::metrics::registry();
        let pools = DbPools::register(&mut registry);
        let status = |size, available, waiting| Status {
            max_size: 8,
            size,
            available,
            waiting,
        };
        pools.watch(move || status(3, 1, 0));
        pools.watch(move || status(8, 0, 2));

        let mut text = String::new();
        encode(&mut text, &registry).unwrap();

        for line in [
            "rinha_db_pool_size 11",
            "rinha_db_pool_in_use 10",
            "rinha_db_pool_waiting 2",
        ] {
            assert!(text.lines().any(|l| l == line), "no {line} in\n{text}");
        }
    }
}
