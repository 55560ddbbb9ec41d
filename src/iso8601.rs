//! Instants as both editions and the processor simulator print them: ISO 8601 in UTC with a
//! `Z` (`2024-01-17T02:34:38.543030Z`, `2025-07-15T12:34:56.000Z`, `2025-07-15T12:34:56.1Z`).
//! Written straight into the output, since a statement prints ten of them per request.

use std::fmt;

use time::OffsetDateTime;

/// How many digits of the second's fraction to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fraction {
    /// Always three: `.000`.
    Millis,
    /// Always six: `.000000`.
    Micros,
    /// Microseconds without their trailing zeros, and no fraction at all when it is zero,
    /// as .NET's System.Text.Json writes a `DateTime`.
    Trimmed,
}

/// Writes `t` (already in UTC) as `YYYY-MM-DDTHH:MM:SS`, its fraction, and `Z`.
pub fn write(f: &mut impl fmt::Write, t: OffsetDateTime, fraction: Fraction) -> fmt::Result {
    write!(
        f,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )?;
    match fraction {
        Fraction::Millis => write!(f, ".{:03}Z", t.millisecond()),
        Fraction::Micros => write!(f, ".{:06}Z", t.microsecond()),
        Fraction::Trimmed if t.microsecond() == 0 => f.write_str("Z"),
        Fraction::Trimmed => {
            let micros = format!("{:06}", t.microsecond());
            write!(f, ".{}Z", micros.trim_end_matches('0'))
        }
    }
}
