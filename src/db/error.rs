/// A storage failure. The caller learns whether it is worth retrying later (the database
/// is unreachable) or a fault in the database itself; the details go to the logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database is unavailable")]
    Unavailable(#[source] deadpool_postgres::PoolError),
    #[error("the connection to the database was lost")]
    ConnectionLost(#[source] tokio_postgres::Error),
    #[error("the database failed the query")]
    Query(#[source] tokio_postgres::Error),
    #[error("the database answered an unexpected value {0:?}")]
    Unexpected(String),
}

impl StoreError {
    /// True when the database could not be reached: the request may succeed later.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::ConnectionLost(_))
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        Self::Unavailable(error)
    }
}

/// True when `error` means "not now" rather than "never": without an SQLSTATE the
/// connection itself failed (refused, closed, reset); classes 08 (connection exception), 53
/// (insufficient resources) and 57 (operator intervention: a shutdown, a restart, a
/// database still starting up) say the same.
pub fn transient(error: &tokio_postgres::Error) -> bool {
    match error.code() {
        None => true,
        Some(code) => matches!(&code.code()[..2], "08" | "53" | "57"),
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        if transient(&error) || error.is_closed() {
            Self::ConnectionLost(error)
        } else {
            Self::Query(error)
        }
    }
}
