use ntex::http::StatusCode;
use ntex::web::{DefaultError, HttpRequest, HttpResponse, WebResponseError};

use crate::db::StoreError;
use crate::payments::dispatch::{ACCEPT_BUDGET, Stopped};
use crate::payments::domain::{InvalidInstant, InvalidPayment};
use crate::server::BodyError;

/// Everything a 2025 request can end in besides a 2xx, mapped to a status code in one
/// place: 422 an invalid payment, 400 an unparsable summary bound or an unreadable body,
/// 413 a body too large, 503 the database unreachable, a payment it could not store in
/// time or one the journal could not take, 500 anything else (the worker's paying thread
/// stopped among them). Bodies are empty; the cause goes to the log.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error(transparent)]
    Invalid(#[from] InvalidPayment),
    #[error(transparent)]
    Bound(#[from] InvalidInstant),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the payment could not be stored within {ACCEPT_BUDGET:?} of its arrival, and is not")]
    Late,
    #[error("the journal: {0}")]
    Journal(std::io::Error),
    #[error(transparent)]
    Stopped(#[from] Stopped),
}

impl WebResponseError<DefaultError> for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Bound(_) | Self::Body(BodyError::Unreadable(_)) => StatusCode::BAD_REQUEST,
            Self::Body(BodyError::TooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Store(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            Self::Late | Self::Journal(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Store(_) | Self::Stopped(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self, req: &HttpRequest) -> HttpResponse {
        let status = WebResponseError::<DefaultError>::status_code(self);
        crate::server::error_response(status, req, self)
    }
}
