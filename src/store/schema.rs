//! The SQL in `sql/` that creates a database, in the order it must run, and the server's
//! configuration. Whoever creates the database (the tests, `rinha stack`, the images)
//! loads these and nothing else.

use std::fmt;
use std::str::FromStr;

/// How the ledger trades durability for speed. Both use the same schema and functions.
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

    /// The scripts that create the database for this profile, as (file name, SQL).
    pub fn scripts(self) -> [(&'static str, &'static str); 3] {
        let profile = match self {
            Self::Contest => (
                "profiles/contest.sql",
                include_str!("../../sql/profiles/contest.sql"),
            ),
            Self::Durable => (
                "profiles/durable.sql",
                include_str!("../../sql/profiles/durable.sql"),
            ),
        };
        [
            ("01-schema.sql", include_str!("../../sql/01-schema.sql")),
            ("02-seed.sql", include_str!("../../sql/02-seed.sql")),
            profile,
        ]
    }
}

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
