//! Durations on the command line: a whole number of `ms` or `s`, as in `250ms` or `30s`,
//! the one way every flag and environment variable writes one.

use std::time::Duration;

/// A duration written as a whole number of `ms` or `s`, as in `250ms` or `30s`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let (digits, unit): (&str, fn(u64) -> Duration) = if let Some(ms) = s.strip_suffix("ms") {
        (ms, Duration::from_millis)
    } else if let Some(secs) = s.strip_suffix('s') {
        (secs, Duration::from_secs)
    } else {
        return Err(format!("{s:?} needs a unit: ms or s"));
    };
    digits
        .parse()
        .map(unit)
        .map_err(|e| format!("{s:?} is not a whole number of ms or s: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_milliseconds_or_seconds() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
    }

    #[test]
    fn a_duration_without_a_unit_or_number_is_refused() {
        for bad in ["30", "s", "1.5s", "-1s", "10m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
