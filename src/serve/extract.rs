//! Reading a request: the account named in the path and the body, each failing as an
//! [`ApiError`] so that the one mapping in `error.rs` decides every status code.

use ntex::http::header::CONTENT_LENGTH;
use ntex::web::HttpRequest;
use ntex::web::types::Payload;

use super::{ApiError, AppState};
use crate::domain::AccountId;

/// The largest request body accepted; a transaction is under 100 bytes.
pub const MAX_BODY: usize = 4 * 1024;

impl AppState {
    /// The account named by `{id}`: anything but a seeded account's id is a 404.
    pub fn account(&self, req: &HttpRequest) -> Result<AccountId, ApiError> {
        req.match_info()
            .get("id")
            .and_then(|id| id.parse().ok())
            .and_then(|id| self.accounts.find(id))
            .ok_or(ApiError::NotFound)
    }
}

/// The whole body, up to [`MAX_BODY`] bytes, in a buffer the JSON parser may scribble on.
pub async fn body(req: &HttpRequest, mut payload: Payload) -> Result<Vec<u8>, ApiError> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_BODY) {
        return Err(ApiError::TooLarge);
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(128));
    while let Some(chunk) = payload.recv().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(ApiError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
