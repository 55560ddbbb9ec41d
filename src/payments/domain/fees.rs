//! What the processors charge: a fraction of each payment they store. A backend cannot read
//! it (only the processors' admin API tells, and a backend never calls it), so it is
//! configuration, and the routing policy weighs every choice with it.

use std::fmt;
use std::str::FromStr;

use super::Processor;

/// Each processor's fee, as a fraction of the amount (0.07 is 7 %); default's is the lower.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fees {
    default: f64,
    fallback: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvalidFees {
    #[error("a fee is a fraction of the amount, at least 0 and below 1: {0}")]
    OutOfRange(f64),
    #[error("default's fee ({0}) is above fallback's ({1}): default is the cheaper processor")]
    DefaultDearer(f64, f64),
}

impl Fees {
    /// The final of 2025 as it was run: every published result charged 7 % at default and
    /// 10 % at fallback. The instances' default, and the processors' in the final.
    pub const FINAL: Self = Self {
        default: 0.07,
        fallback: 0.10,
    };
    /// The published processors' compose file, and so the preview: 5 % and 15 %.
    pub const PREVIEW: Self = Self {
        default: 0.05,
        fallback: 0.15,
    };

    pub fn new(default: f64, fallback: f64) -> Result<Self, InvalidFees> {
        for fee in [default, fallback] {
            if !(0.0..1.0).contains(&fee) {
                return Err(InvalidFees::OutOfRange(fee));
            }
        }
        if default > fallback {
            return Err(InvalidFees::DefaultDearer(default, fallback));
        }
        Ok(Self { default, fallback })
    }

    /// What `processor` keeps of each payment.
    pub fn of(self, processor: Processor) -> f64 {
        match processor {
            Processor::Default => self.default,
            Processor::Fallback => self.fallback,
        }
    }
}

/// A fee as the command line writes it: a fraction such as `0.07`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fee(pub f64);

impl FromStr for Fee {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<f64>() {
            Ok(fee) if (0.0..1.0).contains(&fee) => Ok(Self(fee)),
            _ => Err(format!(
                "{s:?} is not a fee: a fraction at least 0 and below 1, as in 0.07"
            )),
        }
    }
}

impl fmt::Display for Fee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_are_fractions_and_default_is_the_cheaper() {
        assert_eq!(Fees::new(0.07, 0.10), Ok(Fees::FINAL));
        assert_eq!(
            Fees::new(0.05, 0.05).map(|f| f.of(Processor::Fallback)),
            Ok(0.05)
        );
        assert_eq!(Fees::new(1.0, 1.0), Err(InvalidFees::OutOfRange(1.0)));
        assert_eq!(Fees::new(-0.01, 0.1), Err(InvalidFees::OutOfRange(-0.01)));
        assert_eq!(
            Fees::new(0.15, 0.05),
            Err(InvalidFees::DefaultDearer(0.15, 0.05))
        );
    }

    #[test]
    fn a_fee_on_the_command_line_is_a_fraction() {
        assert_eq!("0.07".parse::<Fee>(), Ok(Fee(0.07)));
        assert_eq!(Fee(0.1).to_string(), "0.1");
        for bad in ["7%", "1", "-0.1", "x", ""] {
            assert!(bad.parse::<Fee>().is_err(), "{bad}");
        }
    }
}
