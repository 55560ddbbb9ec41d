//! The machine's floor: the scenario played against NGINX alone (`k6/floor/nginx.conf`),
//! which answers every request from memory, with nothing behind it and no envelope. What k6
//! sees there is what the machine, the kernel and k6 cost at that hour before any backend
//! does anything; no stack can do better, so a stack's figures mean something only beside
//! the floor's of the same hour. `rinha bench --floor` plays the floor, then the stack.

mod play;

use serde::{Deserialize, Serialize};

pub use play::play;

use super::k6::Seen;
use super::machine::MachineUsage;

/// What the floor run measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Floor {
    pub requests: u64,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// NGINX's CPU-milliseconds per request (its master and worker) while k6 ran.
    pub nginx_cpu_ms_per_request: Option<f64>,
    /// The share of the cores' time the hypervisor stole meanwhile, in percent.
    pub steal_percent: Option<f64>,
    /// The share of the cores' time that was busy (k6, NGINX, any processors, anything else
    /// on the machine), in percent.
    pub busy_percent: Option<f64>,
}

impl Floor {
    pub fn new(
        seen: Seen,
        seconds: f64,
        nginx_cpu_seconds: Option<f64>,
        machine: Option<&MachineUsage>,
    ) -> Self {
        Self {
            requests: seen.requests,
            seconds,
            p50_ms: seen.p50_ms,
            p99_ms: seen.p99_ms,
            max_ms: seen.max_ms,
            nginx_cpu_ms_per_request: nginx_cpu_seconds
                .map(|cpu| cpu * 1000.0 / seen.requests.max(1) as f64),
            steal_percent: machine.map(|m| m.steal_percent),
            busy_percent: machine.map(MachineUsage::busy_percent),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_is_what_k6_saw_with_nginx_cpu_per_request_and_the_machine() {
        let seen = Seen {
            requests: 10_000,
            p50_ms: 0.2,
            p99_ms: 1.5,
            max_ms: 9.0,
        };
        let machine = MachineUsage {
            cores: 2,
            steal_percent: 0.8,
            busy_cpus: 0.8,
            outside_cpus: Some(0.4),
        };

        let floor = Floor::new(seen, 62.0, Some(0.4), Some(&machine));

        assert_eq!(floor.requests, 10_000);
        assert_eq!(floor.nginx_cpu_ms_per_request, Some(0.04));
        assert_eq!(floor.steal_percent, Some(0.8));
        assert_eq!(floor.busy_percent, Some(40.0));
    }
}
