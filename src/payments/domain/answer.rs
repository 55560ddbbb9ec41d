/// What became of one send of an attempt, as the processor (or what stands in front of it)
/// answered. Only the processor's own 500 proves that it stored nothing: a proxy in front
/// of it (a load balancer, a gateway) answers 502, 503 or 504 of its own while the
/// processor may still store the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 200: stored by this send.
    Stored,
    /// 422: stored before (an earlier send of the same attempt).
    Duplicate,
    /// 500, the processor failing: this send stored nothing. Also a connection that could
    /// not be made: nothing was sent.
    Refused,
    /// Anything else: no answer (a timeout, a connection lost after the request was
    /// written), or a status the processor never gives (a proxy's 502, 503 or 504, kept
    /// here). The processor may have stored the payment, or may yet.
    Unknown(Option<u16>),
}

impl Answer {
    /// Whether the processor holds the payment: by this send or an earlier one.
    pub fn stored(self) -> bool {
        matches!(self, Self::Stored | Self::Duplicate)
    }
}
