use ntex::http::StatusCode;
use ntex::web::{DefaultError, HttpRequest, HttpResponse, WebResponseError};

use crate::bank::domain::{InvalidTransaction, Rejection};
use crate::db::StoreError;
use crate::server::BodyError;

/// Everything a request can end in besides a 200, mapped to a status code in one place:
/// 404 no such account, 422 invalid input or a refused transaction, 400 a body that could
/// not be read, 413 a body too large, 503 database unreachable, 500 anything else. Bodies are empty; the cause goes to the log.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no such account")]
    NotFound,
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error(transparent)]
    Invalid(#[from] InvalidTransaction),
    #[error(transparent)]
    Rejected(#[from] Rejection),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not serialise the response")]
    Serialize(#[from] simd_json::Error),
}

impl WebResponseError<DefaultError> for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound | Self::Rejected(Rejection::NoSuchAccount) => StatusCode::NOT_FOUND,
            Self::Invalid(_) | Self::Rejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Body(BodyError::TooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Body(BodyError::Unreadable(_)) => StatusCode::BAD_REQUEST,
            Self::Store(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            Self::Store(_) | Self::Serialize(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self, req: &HttpRequest) -> HttpResponse {
        let status = WebResponseError::<DefaultError>::status_code(self);
        crate::server::error_response(status, req, self)
    }
}
