//! `requestedAt` and the summary's bounds: instants in UTC to the microsecond, the
//! resolution of the official processor's `requested_at TIMESTAMP` column. Finer digits are
//! truncated, as Npgsql does when it sends a .NET `DateTime` (100 ns ticks) to PostgreSQL,
//! so `BETWEEN` compares what the official one would compare.

use std::fmt;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::iso8601::{self, Fraction};

/// Microseconds since the Unix epoch, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// Parses an RFC 3339 date and time, as in `2025-07-15T12:34:56.000Z`. Another offset
    /// (`+02:00`) is converted to UTC; a time without an offset is not an instant: `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let moment = OffsetDateTime::parse(text, &Rfc3339).ok()?;
        let micros = moment.unix_timestamp_nanos().div_euclid(1_000);
        i64::try_from(micros).ok().map(Self)
    }
}

/// ISO 8601 in UTC with `Z`, the fraction trimmed of trailing zeros and left out when
/// zero, as System.Text.Json writes a `DateTime`: `2025-07-15T12:34:56.1Z`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let moment = OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000)
            .map_err(|_| fmt::Error)?;
        iso8601::write(f, moment, Fraction::Trimmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        Timestamp::parse(text)
            .unwrap_or_else(|| panic!("{text}"))
            .to_string()
    }

    #[test]
    fn instants_print_in_utc_with_a_trimmed_fraction() {
        assert_eq!(
            round_trip("2025-07-15T12:34:56.000Z"),
            "2025-07-15T12:34:56Z"
        );
        assert_eq!(
            round_trip("2025-07-15T12:34:56.120Z"),
            "2025-07-15T12:34:56.12Z"
        );
        assert_eq!(
            round_trip("2025-07-15T12:34:56.123456Z"),
            "2025-07-15T12:34:56.123456Z"
        );
        assert_eq!(
            round_trip("2025-07-15T14:34:56+02:00"),
            "2025-07-15T12:34:56Z"
        );
    }

    #[test]
    fn digits_beyond_the_microsecond_are_truncated() {
        assert_eq!(
            Timestamp::parse("2025-07-15T12:34:56.1234569Z"),
            Timestamp::parse("2025-07-15T12:34:56.123456Z")
        );
    }

    #[test]
    fn instants_order_by_time_whatever_their_offset() {
        let earlier = Timestamp::parse("2025-07-15T13:00:00+02:00").unwrap();
        let later = Timestamp::parse("2025-07-15T12:00:00Z").unwrap();
        assert!(earlier < later);
    }

    #[test]
    fn anything_but_an_instant_is_refused() {
        for bad in [
            "",
            "yesterday",
            "2025-07-15",
            "2025-07-15T12:34:56",
            "2025-13-01T00:00:00Z",
            "2025-02-30T00:00:00Z",
            "2025-07-15T12:34Z",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad:?}");
        }
    }
}
