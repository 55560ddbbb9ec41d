//! Exact decimal numbers for money: amounts and fees are kept as an integer and a number of
//! decimal places, so every sum and product is exact and prints as the same decimal that a
//! PostgreSQL `DECIMAL` column would hold. A float never enters the ledger.

use std::fmt;

/// `mantissa × 10^-scale`, exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// Amounts have two decimal places: they are counted in cents.
const CENTS_SCALE: u32 = 2;

impl Decimal {
    /// A number of cents, printed with its two decimal places (`1990` is `19.90`).
    pub const fn from_cents(cents: i128) -> Self {
        Self {
            mantissa: cents,
            scale: CENTS_SCALE,
        }
    }

    /// Parses `[-]digits[.digits]`. Trailing zeros of the fraction carry no value and are
    /// dropped; `None` when the number needs more than `max_scale` decimal places, is not
    /// in that shape, or does not fit.
    pub fn parse(text: &str, max_scale: u32) -> Option<Self> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((_, "")) => return None,
            Some((whole, fraction)) => (whole, fraction),
            None => (unsigned, ""),
        };
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let fraction = fraction.trim_end_matches('0');
        let scale = u32::try_from(fraction.len())
            .ok()
            .filter(|s| *s <= max_scale)?;
        let mut mantissa: i128 = 0;
        for digit in whole.bytes().chain(fraction.bytes()) {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(i128::from(digit - b'0'))?;
        }
        Some(Self {
            mantissa: if negative { -mantissa } else { mantissa },
            scale,
        })
    }

    /// The same number in cents, or `None` when it has more than two decimal places.
    pub fn cents(self) -> Option<i128> {
        let missing = CENTS_SCALE.checked_sub(self.scale)?;
        self.mantissa.checked_mul(10_i128.pow(missing))
    }

    /// The integer part and decimal places, as stored.
    pub fn mantissa(self) -> i128 {
        self.mantissa
    }

    /// `self × count`, exactly for any mantissa of up to 63 bits (the fee is checked for
    /// that at start-up), since a count has at most 64; beyond 128 bits it saturates.
    pub fn times(self, count: u64) -> Self {
        Self {
            mantissa: self.mantissa.saturating_mul(i128::from(count)),
            scale: self.scale,
        }
    }
}

/// Prints every decimal place kept, never an exponent: valid as a JSON number.
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = self.scale as usize;
        let digits = format!(
            "{:0>width$}",
            self.mantissa.unsigned_abs(),
            width = scale + 1
        );
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        if self.mantissa < 0 {
            f.write_str("-")?;
        }
        f.write_str(whole)?;
        if scale > 0 {
            write!(f, ".{fraction}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly() {
        let cases = [
            ("19.90", 1990),
            ("19.9", 1990),
            ("19", 1900),
            ("0.01", 1),
            ("-5.5", -550),
            ("19.900000", 1990),
        ];
        for (text, cents) in cases {
            let parsed = Decimal::parse(text, 2).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(parsed.cents(), Some(cents), "{text}");
        }
    }

    #[test]
    fn more_places_than_allowed_or_a_malformed_number_is_refused() {
        for bad in [
            "19.901", "0.001", "", "-", ".5", "5.", "1e2", "+1", "1.2.3", " 1", "x",
        ] {
            assert_eq!(Decimal::parse(bad, 2), None, "{bad:?}");
        }
        assert_eq!(Decimal::parse(&"9".repeat(40), 2), None);
    }

    #[test]
    fn decimals_print_every_place_they_keep() {
        assert_eq!(Decimal::from_cents(1990).to_string(), "19.90");
        assert_eq!(Decimal::from_cents(5).to_string(), "0.05");
        assert_eq!(Decimal::from_cents(0).to_string(), "0.00");
        assert_eq!(Decimal::from_cents(-150).to_string(), "-1.50");
        assert_eq!(Decimal::parse("7", 9).unwrap().to_string(), "7");
        assert_eq!(Decimal::parse("0.150", 9).unwrap().to_string(), "0.15");
    }

    #[test]
    fn a_product_is_exact() {
        let fee = Decimal::parse("0.05", 9).unwrap();
        assert_eq!(fee.times(3).to_string(), "0.15");
        assert_eq!(fee.times(0).to_string(), "0.00");
        assert_eq!(fee.times(u64::MAX).mantissa(), 5 * i128::from(u64::MAX));
    }

    #[test]
    fn a_fee_with_more_places_than_cents_has_no_cents() {
        assert_eq!(Decimal::parse("0.005", 9).unwrap().cents(), None);
    }
}
