use std::fmt;

/// A positive amount of money in cents: what is stored and summed. It is never a float;
/// JSON's numbers become cents once, at the edge, and only if they are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cents(i64);

impl Cents {
    /// The largest amount whose cents a JSON number (an IEEE double) still tells apart:
    /// 2^53 cents, about 90 trillion.
    const MAX: i64 = 1 << 53;

    /// From a count of cents read back from storage.
    pub fn new(cents: i64) -> Self {
        Self(cents)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// The amount a JSON number means, if it is positive and has at most two decimals.
    /// `19.90` parses to the double nearest 19.9, which is exactly what dividing 1990 by
    /// 100 rounds to: a number is accepted when its cents, divided back, give the same
    /// double. `19.901` and `0.001` do not; `1e2` is 100.00.
    pub fn from_decimal(value: f64) -> Option<Self> {
        let cents = (value * 100.0).round();
        let exact = cents > 0.0 && cents <= Self::MAX as f64 && cents / 100.0 == value;
        exact.then_some(Self(cents as i64))
    }
}

/// As a JSON number with exactly two decimals: `19.90`, `415542345.98`, `0.05`.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        CentsTotal::from(*self).fmt(f)
    }
}

/// A sum of amounts in cents, as a summary adds them up: wider than [`Cents`]. An amount
/// is at most 2^53 cents (the processors take up to 10^15 − 1), so a few thousand of the
/// largest already pass what an `i64` holds (9.2e18 cents); no table passes an `i128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CentsTotal(i128);

impl CentsTotal {
    pub fn new(cents: i128) -> Self {
        Self(cents)
    }
}

impl From<Cents> for CentsTotal {
    fn from(cents: Cents) -> Self {
        Self(cents.0.into())
    }
}

/// As a JSON number with exactly two decimals, however large.
impl fmt::Display for CentsTotal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_decimals_become_exact_cents() {
        assert_eq!(Cents::from_decimal(19.90), Some(Cents(1990)));
        assert_eq!(Cents::from_decimal(0.01), Some(Cents(1)));
        assert_eq!(Cents::from_decimal(100.0), Some(Cents(10000)));
        assert_eq!(Cents::from_decimal(415542345.98), Some(Cents(41554234598)));
    }

    #[test]
    fn a_third_decimal_zero_or_a_negative_is_refused() {
        for bad in [
            19.901,
            0.001,
            0.0,
            -1.0,
            -0.01,
            f64::NAN,
            f64::INFINITY,
            1e300,
        ] {
            assert_eq!(Cents::from_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn cents_print_as_a_number_with_two_decimals() {
        assert_eq!(Cents(1990).to_string(), "19.90");
        assert_eq!(Cents(5).to_string(), "0.05");
        assert_eq!(Cents(0).to_string(), "0.00");
        assert_eq!(Cents(41554234598).to_string(), "415542345.98");
    }

    #[test]
    fn a_total_past_an_i64_prints_every_cent() {
        let total = CentsTotal::new(9_223_999_999_999_990_776);
        assert_eq!(total.to_string(), "92239999999999907.76");
        assert_eq!(
            CentsTotal::new(i128::MAX).to_string(),
            "1701411834604692317316873037158841057.27"
        );
    }
}
