//! Faults a bench run injects while k6 runs: `--fault api1@150s` kills a service of the
//! stack that many seconds into the scenario, so that a fault under load is one command
//! anyone can repeat.
//!
//! PostgreSQL gets SIGQUIT, its immediate shutdown: every backend stops at once, without a
//! checkpoint, and the next start recovers from the log, as after a crash (SIGKILL would
//! leave its backends holding the shared memory a new postmaster needs). Every other
//! service gets SIGKILL. What follows is the stack's supervision: it starts the service
//! again (PostgreSQL only in the durable profile).

use std::str::FromStr;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::duration::parse_duration;
use crate::tools::stack::{Service, Stack};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The service's name in the stack's table: postgres, api1, api2, nginx or balancer.
    pub service: String,
    /// How long after k6 starts.
    pub at: Duration,
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (service, at) = s
            .split_once('@')
            .ok_or_else(|| format!("{s:?} is not SERVICE@TIME, as in api1@150s"))?;
        if service.is_empty() {
            return Err(format!("{s:?} names no service"));
        }
        Ok(Self {
            service: service.to_owned(),
            at: parse_duration(at)?,
        })
    }
}

impl Fault {
    /// The service the fault is for; an error when the stack has none of that name.
    pub fn target<'a>(&self, stack: &'a Stack) -> Result<&'a Service, String> {
        stack
            .services
            .iter()
            .find(|s| s.name == self.service)
            .ok_or_else(|| {
                let names: Vec<&str> = stack.services.iter().map(|s| s.name.as_str()).collect();
                format!(
                    "--fault {}: the stack has no such service ({})",
                    self.service,
                    names.join(", ")
                )
            })
    }

    /// Sends the fault's signal to its service.
    pub fn inject(&self, stack: &Stack) -> Result<(), String> {
        let service = self.target(stack)?;
        let signal = if service.name == "postgres" {
            Signal::SIGQUIT
        } else {
            Signal::SIGKILL
        };
        tracing::warn!(
            service = service.name,
            pid = service.pid,
            signal = signal as i32,
            "injecting a fault"
        );
        let _ = kill(Pid::from_raw(service.pid as i32), signal);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_names_a_service_and_a_time() {
        assert_eq!(
            "postgres@150s".parse(),
            Ok(Fault {
                service: "postgres".into(),
                at: Duration::from_secs(150)
            })
        );
        assert_eq!(
            "api1@500ms".parse::<Fault>().map(|f| f.at),
            Ok(Duration::from_millis(500))
        );
    }

    #[test]
    fn a_fault_without_a_service_or_a_time_is_refused() {
        for bad in ["api1", "@10s", "api1@", "api1@10", "api1@ten"] {
            assert!(bad.parse::<Fault>().is_err(), "{bad}");
        }
    }
}
