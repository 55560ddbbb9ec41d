//! How to start a stack: what `rinha stack` and `rinha bench` are told.

use std::path::PathBuf;

use crate::db::{Profile, Sharing};
use crate::edition::Edition;
use crate::payments::domain::Fees;

/// How to start a stack.
#[derive(Debug, Clone)]
pub struct Options {
    pub edition: Edition,
    pub port: u16,
    pub profile: Profile,
    pub state_dir: PathBuf,
    /// Enforce the envelope with cgroups (when the machine allows it).
    pub enforce: bool,
    /// PostgreSQL connections per API instance.
    pub pool_size: u16,
    /// How an instance's requests share them.
    pub pool_sharing: Sharing,
    /// Every CPU quota is multiplied by this (1 is the contest's envelope).
    pub cpu_scale: f64,
    /// 2025: the processors to pay through (default, fallback); `None` starts two.
    pub processors: Option<[String; 2]>,
    /// 2025: what the processors charge: the ones the stack starts charge it, and its
    /// instances route with it.
    pub fees: Fees,
}
