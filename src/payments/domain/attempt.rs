use uuid::Uuid;

use super::{Cents, Moment, Processor};

/// One attempt at one processor: what is sent, and what identifies it in the table. Every
/// send of it carries the same body, so the processor stores it at most once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    pub id: Uuid,
    pub amount: Cents,
    pub processor: Processor,
    pub requested_at: Moment,
}
