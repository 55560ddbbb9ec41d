use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::iso8601::{self, Fraction};

/// An instant to the millisecond, in UTC: the precision of the `requestedAt` we send and of
/// the bounds the checker asks for (JavaScript's `toISOString()`). What is stored is
/// exactly what was sent, so a window includes the same payments on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment(OffsetDateTime);

/// A summary bound that is not an RFC 3339 instant.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an ISO 8601 instant such as 2025-07-15T12:34:56.000Z")]
pub struct InvalidInstant(pub String);

impl Moment {
    /// Now, truncated to the millisecond.
    pub fn now() -> Self {
        Self::from(OffsetDateTime::now_utc())
    }

    /// Parses a bound such as `2025-07-15T12:34:56.000Z`; sub-millisecond digits are kept,
    /// so that an inclusive bound means what its text says.
    pub fn parse(text: &str) -> Result<OffsetDateTime, InvalidInstant> {
        OffsetDateTime::parse(text, &Rfc3339).map_err(|_| InvalidInstant(text.to_owned()))
    }

    pub fn get(self) -> OffsetDateTime {
        self.0
    }
}

impl From<OffsetDateTime> for Moment {
    fn from(t: OffsetDateTime) -> Self {
        let t = t.to_offset(UtcOffset::UTC);
        let millis = t.millisecond();
        Self(
            t.replace_millisecond(millis)
                .expect("a millisecond of the same instant"),
        )
    }
}

/// `2025-07-15T12:34:56.000Z`.
impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        iso8601::write(f, self.0, Fraction::Millis)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_moment_drops_what_is_below_the_millisecond() {
        let t = Moment::from(datetime!(2025-07-15 12:34:56.123456789 UTC));
        assert_eq!(t.to_string(), "2025-07-15T12:34:56.123Z");
        assert_eq!(t.get(), datetime!(2025-07-15 12:34:56.123 UTC));
    }

    #[test]
    fn a_moment_is_shown_in_utc() {
        let t = Moment::from(datetime!(2025-07-15 09:34:56.5 -03:00));
        assert_eq!(t.to_string(), "2025-07-15T12:34:56.500Z");
    }

    #[test]
    fn a_bound_is_rfc_3339() {
        assert_eq!(
            Moment::parse("2025-07-15T12:34:56.000Z").unwrap(),
            datetime!(2025-07-15 12:34:56 UTC)
        );
        for bad in ["2025-07-15", "yesterday", "2025-13-01T00:00:00Z", ""] {
            assert!(Moment::parse(bad).is_err(), "{bad}");
        }
    }
}
