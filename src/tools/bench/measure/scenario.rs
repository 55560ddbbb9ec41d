//! The scenarios of `k6/`, built in so that the binary needs no checkout.

use std::time::Duration;

use crate::edition::Edition;
use crate::payments::domain::Fees;

/// A scenario of `k6/`, each described by `about`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Official,
    Stress,
    Overload,
    Preview,
    Final,
    Outage,
}

impl Scenario {
    /// Every scenario, in the order the command line lists them.
    pub const ALL: [Self; 6] = [
        Self::Official,
        Self::Stress,
        Self::Overload,
        Self::Preview,
        Self::Final,
        Self::Outage,
    ];

    /// Its name on the command line and in the reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Official => "official",
            Self::Stress => "stress",
            Self::Overload => "overload",
            Self::Preview => "preview",
            Self::Final => "final",
            Self::Outage => "outage",
        }
    }

    /// What it plays, for the command line's help.
    pub fn about(self) -> &'static str {
        match self {
            Self::Official => "2024/Q1: the public acceptance run, open model (about 246 s)",
            Self::Stress => "2024/Q1: closed-model saturation (DURATION, 30 s by default)",
            Self::Overload => {
                "2024/Q1: a minute at RATE requests per second (6000 by default), then the recovery"
            }
            Self::Preview => {
                "2025: the official test's published 60 s script (processors at 5 % and 15 %)"
            }
            Self::Final => {
                "2025: the final as it was run: its own 300 s script, 603 VUs, processors at 7 % \
                 and 10 %, scored from the processors' summaries"
            }
            Self::Outage => {
                "2025, ours: both processors failing for 30 s of the preview's load, then back"
            }
        }
    }

    /// The edition the scenario runs against.
    pub fn edition(self) -> Edition {
        match self {
            Self::Official | Self::Stress | Self::Overload => Edition::Bank,
            Self::Preview | Self::Final | Self::Outage => Edition::Payments,
        }
    }

    /// What `rinha bench` runs when no scenario is named.
    pub fn default_for(edition: Edition) -> Self {
        match edition {
            Edition::Bank => Self::Official,
            Edition::Payments => Self::Preview,
        }
    }

    /// 2025: what the processors charge in this scenario (the bank's have no processors).
    pub fn fees(self) -> Fees {
        match self {
            Self::Final => Fees::FINAL,
            _ => Fees::PREVIEW,
        }
    }

    /// What the scenarios of its edition share (`common.js`).
    pub fn common(self) -> &'static str {
        match self.edition() {
            Edition::Bank => include_str!("../../../../k6/bank/common.js"),
            Edition::Payments => include_str!("../../../../k6/payments/common.js"),
        }
    }

    pub fn script(self) -> &'static str {
        match self {
            Self::Official => include_str!("../../../../k6/bank/official.js"),
            Self::Stress => include_str!("../../../../k6/bank/stress.js"),
            Self::Overload => include_str!("../../../../k6/bank/overload.js"),
            Self::Preview | Self::Outage => include_str!("../../../../k6/payments/preview.js"),
            Self::Final => include_str!("../../../../k6/payments/final.js"),
        }
    }

    /// How long k6 runs, for the progress line.
    pub fn expected(self) -> Duration {
        match self {
            Self::Official => Duration::from_secs(246),
            Self::Stress => Duration::from_secs(30),
            Self::Overload => Duration::from_secs(95),
            Self::Preview => Duration::from_secs(60),
            Self::Final => Duration::from_secs(310),
            Self::Outage => Duration::from_secs(60),
        }
    }
}
