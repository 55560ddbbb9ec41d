//! How to start a stack: what `rinha stack` and `rinha bench` are told.

use std::path::PathBuf;

use crate::db::{Profile, Sharing};
use crate::edition::Edition;
use crate::payments::domain::Fees;

/// How to start a stack.
#[derive(Debug, Clone)]
pub struct Options {
    pub edition: Edition,
    pub port: u16,
    pub profile: Profile,
    pub state_dir: PathBuf,
    /// Enforce the envelope with cgroups (when the machine allows it).
    pub enforce: bool,
    /// PostgreSQL connections per API instance.
    pub pool_size: u16,
    /// How an instance's requests share them.
    pub pool_sharing: Sharing,
    /// What stands between the clients and the instances.
    pub balancer: Balancer,
    /// 2025: what a payment is in before its 202.
    pub accept: Accept,
    /// Every CPU quota is multiplied by this (1 is the contest's envelope).
    pub cpu_scale: f64,
    /// 2025: the processors to pay through (default, fallback); `None` starts two.
    pub processors: Option<[String; 2]>,
    /// 2025: what the processors charge: the ones the stack starts charge it, and its
    /// instances route with it.
    pub fees: Fees,
}

/// 2025: where a payment is before its 202.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// In a journal on tmpfs that the instances share (`rinha serve --journal`).
    Journal,
    /// In PostgreSQL.
    Database,
}

impl Accept {
    pub const ALL: [Self; 2] = [Self::Journal, Self::Database];

    /// The profile's own: the journal, which survives what the contest profile's
    /// PostgreSQL survives (an instance's death, not the machine's), for the contest; the
    /// database, which survives a crash, for the durable profile.
    pub fn of(profile: Profile) -> Self {
        match profile {
            Profile::Contest => Self::Journal,
            Profile::Durable => Self::Database,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Journal => "journal",
            Self::Database => "database",
        }
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Self::Journal => "a payment is in a journal on tmpfs before its 202",
            Self::Database => "a payment is in PostgreSQL before its 202",
        }
    }
}

/// What stands between the clients and the instances on the stack's port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Balancer {
    /// NGINX, proxying every request to an instance's Unix socket.
    Nginx,
    /// `rinha balance`, handing each connection whole to an instance.
    Handoff,
}

impl Balancer {
    pub const ALL: [Self; 2] = [Self::Nginx, Self::Handoff];

    /// The edition's own: NGINX for the bank, as its contest asked; `rinha balance` for
    /// 2025, which spares each payment a process (docs/performance.md, "The balancer hands
    /// each connection over").
    pub fn of(edition: Edition) -> Self {
        match edition {
            Edition::Bank => Self::Nginx,
            Edition::Payments => Self::Handoff,
        }
    }

    /// Whether a request in flight on an instance that dies is sent again to another: NGINX
    /// does (for POST /payments); what `rinha balance` hands over dies with the instance.
    pub fn resends_in_flight(self) -> bool {
        self == Self::Nginx
    }

    /// The stack's name for the service.
    pub fn service(self) -> &'static str {
        match self {
            Self::Nginx => "nginx",
            Self::Handoff => "balancer",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Nginx => "nginx",
            Self::Handoff => "handoff",
        }
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Self::Nginx => "NGINX proxies every request to an instance",
            Self::Handoff => "rinha balance hands each connection whole to an instance",
        }
    }
}
