//! The resource envelope of `envelope.toml`: what each service may use.

use serde::Deserialize;

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

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    pub instances: u8,
    pub cpus: f64,
    pub memory_mb: u64,
}

impl Api {
    /// One instance's limits.
    pub fn each(self) -> Limits {
        Limits {
            cpus: self.cpus,
            memory_mb: self.memory_mb,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub budget: Limits,
    pub postgres: Limits,
    pub api: Api,
    pub nginx: Limits,
}

impl Envelope {
    /// The envelope of this repository, checked by this module's tests.
    pub fn contest() -> Self {
        toml::from_str(include_str!("envelope.toml")).expect("src/stack/envelope.toml is valid")
    }

    /// Every service with its limits, in start order: PostgreSQL, the API instances, NGINX.
    pub fn services(&self) -> Vec<(String, Limits)> {
        let mut services = vec![("postgres".to_owned(), self.postgres)];
        services.extend((1..=self.api.instances).map(|n| (format!("api{n}"), self.api.each())));
        services.push(("nginx".to_owned(), self.nginx));
        services
    }

    /// The sum over every service.
    pub fn total(&self) -> Limits {
        self.services().iter().fold(
            Limits {
                cpus: 0.0,
                memory_mb: 0,
            },
            |sum, (_, l)| Limits {
                cpus: sum.cpus + l.cpus,
                memory_mb: sum.memory_mb + l.memory_mb,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_fits_the_contest_budget() {
        let envelope = Envelope::contest();
        let total = envelope.total();
        assert_eq!(
            (envelope.budget.cpus, envelope.budget.memory_mb),
            (1.5, 550)
        );
        assert!(
            total.cpus <= envelope.budget.cpus + 1e-9,
            "{} CPUs",
            total.cpus
        );
        assert!(
            total.memory_mb <= envelope.budget.memory_mb,
            "{} MB",
            total.memory_mb
        );
    }

    #[test]
    fn every_service_is_limited() {
        for (name, limits) in Envelope::contest().services() {
            assert!(
                limits.cpus > 0.0 && limits.memory_mb > 0,
                "{name} is unlimited"
            );
        }
    }

    #[test]
    fn the_contest_runs_two_api_instances() {
        let names: Vec<String> = Envelope::contest()
            .services()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["postgres", "api1", "api2", "nginx"]);
    }
}
