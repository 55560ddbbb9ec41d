//! The admin endpoints' guard: the `X-Rinha-Token` header must hold the current token.

use std::sync::Arc;

use ntex::http::{Payload, StatusCode};
use ntex::web::{DefaultError, FromRequest, HttpRequest, HttpResponse, WebResponseError};

use super::state::Processor;

/// The header the admin token travels in.
const TOKEN_HEADER: &str = "x-rinha-token";

/// Proof that a request carries the current admin token. As the first argument of a
/// handler it is checked before the body is read, so a bad token is a 401 whatever the body.
pub struct Admin;

/// The token is missing or not the current one.
#[derive(Debug, thiserror::Error)]
#[error("the X-Rinha-Token header does not hold the current admin token")]
pub struct Unauthorized;

impl FromRequest<DefaultError> for Admin {
    type Error = Unauthorized;

    async fn from_request(req: &HttpRequest, _: &mut Payload) -> Result<Self, Unauthorized> {
        let token = req.headers().get(TOKEN_HEADER).map(|v| v.as_bytes());
        let processor = req.app_state::<Arc<Processor>>();
        match (token, processor) {
            (Some(token), Some(processor)) if processor.admits(token) => Ok(Admin),
            _ => Err(Unauthorized),
        }
    }
}

impl WebResponseError<DefaultError> for Unauthorized {
    fn status_code(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }

    fn error_response(&self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::new(StatusCode::UNAUTHORIZED)
    }
}
