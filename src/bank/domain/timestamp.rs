use std::fmt;

use serde::{Serialize, Serializer};
use time::{OffsetDateTime, UtcOffset};

use crate::iso8601::{self, Fraction};

/// An instant, shown as RFC 3339 in UTC with microseconds and a `Z`:
/// `2024-01-17T02:34:38.543030Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(OffsetDateTime);

impl From<OffsetDateTime> for Timestamp {
    fn from(instant: OffsetDateTime) -> Self {
        Self(instant.to_offset(UtcOffset::UTC))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        iso8601::write(f, self.0, Fraction::Micros)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn an_instant_is_shown_in_utc_with_microseconds_and_z() {
        let t = Timestamp::from(datetime!(2024-01-16 23:34:38.54303 -03:00));
        assert_eq!(t.to_string(), "2024-01-17T02:34:38.543030Z");
    }

    #[test]
    fn a_whole_second_keeps_its_six_fraction_digits() {
        let t = Timestamp::from(datetime!(2024-02-29 00:00:00 UTC));
        assert_eq!(t.to_string(), "2024-02-29T00:00:00.000000Z");
    }
}
