//! Which contest an instance, a stack or a bench serves: the bank of 2024/Q1 or the payment
//! intermediary of 2025. One binary serves both; the edition picks the routes, the SQL, the
//! envelope and the k6 scenarios.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Edition {
    /// 2024/Q1: the bank ("crébitos"), 1.5 CPU / 550 MB.
    #[default]
    Bank,
    /// 2025: the payment intermediary, 1.5 CPU / 350 MB.
    Payments,
}

impl Edition {
    /// The name on the command line and in `RINHA_EDITION`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bank => "2024q1",
            Self::Payments => "2025",
        }
    }

    /// The directory of `sql/` and `k6/` that holds this edition's files.
    pub fn dir(self) -> &'static str {
        match self {
            Self::Bank => "bank",
            Self::Payments => "payments",
        }
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Edition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "2024q1" => Ok(Self::Bank),
            "2025" => Ok(Self::Payments),
            other => Err(format!("unknown edition {other:?}: use 2024q1 or 2025")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edition_reads_back_its_own_name() {
        for edition in [Edition::Bank, Edition::Payments] {
            assert_eq!(edition.name().parse(), Ok(edition));
        }
    }

    #[test]
    fn an_unknown_edition_is_refused() {
        assert!("2024".parse::<Edition>().is_err());
    }
}
