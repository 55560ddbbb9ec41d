//! Instants as both editions print them: ISO 8601 in UTC with a fixed number of fraction
//! digits and a `Z` (`2024-01-17T02:34:38.543030Z`, `2025-07-15T12:34:56.000Z`). Written
//! straight into the output, since a statement prints ten of them per request.

use std::fmt;

use time::OffsetDateTime;

/// How many digits of the second's fraction to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fraction {
    Millis,
    Micros,
}

/// Writes `t` (already in UTC) as `YYYY-MM-DDTHH:MM:SS.fffZ` or `….ffffffZ`.
pub fn write(f: &mut impl fmt::Write, t: OffsetDateTime, fraction: Fraction) -> fmt::Result {
    write!(
        f,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )?;
    match fraction {
        Fraction::Millis => write!(f, "{:03}Z", t.millisecond()),
        Fraction::Micros => write!(f, "{:06}Z", t.microsecond()),
    }
}
