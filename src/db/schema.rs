//! The SQL in `sql/` that creates a database, in the order it must run, and the server's
//! configuration. Whoever creates the database (the tests, `rinha stack`, the images)
//! loads these and nothing else. `sql/postgresql.conf` and `sql/profiles/*.conf` are the
//! server's and serve both editions; `sql/bank/` and `sql/payments/` hold each edition's
//! schema and its profile's table settings.

use std::fmt;
use std::str::FromStr;

use crate::edition::Edition;

/// How the tables trade durability for speed. Both profiles use the same schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// UNLOGGED tables: what the contest benchmark runs. A PostgreSQL crash empties them.
    #[default]
    Contest,
    /// Logged tables: what a real bank would run.
    Durable,
}

impl Profile {
    pub fn name(self) -> &'static str {
        match self {
            Self::Contest => "contest",
            Self::Durable => "durable",
        }
    }

    /// The scripts that create `edition`'s database in this profile, as (file name, SQL).
    pub fn scripts(self, edition: Edition) -> &'static [(&'static str, &'static str)] {
        match (edition, self) {
            (Edition::Bank, Self::Contest) => &[BANK_SCHEMA, BANK_SEED, BANK_CONTEST],
            (Edition::Bank, Self::Durable) => &[BANK_SCHEMA, BANK_SEED, BANK_DURABLE],
            (Edition::Payments, Self::Contest) => &[PAYMENTS_SCHEMA, PAYMENTS_CONTEST],
            (Edition::Payments, Self::Durable) => &[PAYMENTS_SCHEMA, PAYMENTS_DURABLE],
        }
    }
}

/// Each file of `sql/<edition>/`, named by its path there.
macro_rules! script {
    ($name:ident, $path:literal) => {
        const $name: (&str, &str) = ($path, include_str!(concat!("../../sql/", $path)));
    };
}
script!(BANK_SCHEMA, "bank/01-schema.sql");
script!(BANK_SEED, "bank/02-seed.sql");
script!(BANK_CONTEST, "bank/profiles/contest.sql");
script!(BANK_DURABLE, "bank/profiles/durable.sql");
script!(PAYMENTS_SCHEMA, "payments/01-schema.sql");
script!(PAYMENTS_CONTEST, "payments/profiles/contest.sql");
script!(PAYMENTS_DURABLE, "payments/profiles/durable.sql");

/// The tuned server configuration; it includes `profile.conf` from its own directory.
pub const SERVER_CONF: &str = include_str!("../../sql/postgresql.conf");

impl Profile {
    /// The server settings of this profile, to be written as `profile.conf` beside
    /// [`SERVER_CONF`].
    pub fn server_conf(self) -> &'static str {
        match self {
            Self::Contest => include_str!("../../sql/profiles/contest.conf"),
            Self::Durable => include_str!("../../sql/profiles/durable.conf"),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "contest" => Ok(Self::Contest),
            "durable" => Ok(Self::Durable),
            other => Err(format!("unknown profile {other:?}: use contest or durable")),
        }
    }
}
