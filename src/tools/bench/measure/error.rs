//! Why a bench run failed.

use std::path::PathBuf;

use super::Scenario;
use super::payments;
use crate::bank::store::Audit;
use crate::edition::Edition;
use crate::tools::launcher::{MissingTool, postgres};
use crate::tools::stack::StackError;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Stack(#[from] StackError),
    #[error(transparent)]
    Missing(#[from] MissingTool),
    #[error("{0}")]
    Io(String, #[source] std::io::Error),
    #[error("cannot reset the ledger after the warm-up")]
    Reset(#[source] tokio_postgres::Error),
    #[error("cannot connect to the stack's database")]
    Database(#[source] postgres::ClusterError),
    #[error("k6 failed ({0}) before writing its summary; see {1}")]
    K6(std::process::ExitStatus, PathBuf),
    #[error("the k6 summary {0} is not what k6 writes: {1}")]
    Summary(PathBuf, String),
    #[error("k6 thresholds failed: see {0}")]
    Thresholds(PathBuf),
    #[error("cannot audit the ledger")]
    AuditFailed(#[source] tokio_postgres::Error),
    #[error("{0}")]
    Unbalanced(Audit),
    #[error("the {} scenario runs against the {} edition, not {edition}", .scenario.name(), .scenario.edition())]
    WrongEdition {
        scenario: Scenario,
        edition: Edition,
    },
    #[error(transparent)]
    Payments(#[from] payments::SettlementError),
    #[error("{0}")]
    Fault(String),
    #[error("{0}")]
    Floor(String),
}

pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
    let context = context.into();
    move |e| BenchError::Io(context, e)
}
