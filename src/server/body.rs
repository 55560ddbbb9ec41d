//! Reading a request body with a limit, into a buffer the JSON parser may scribble on.

use ntex::http::header::CONTENT_LENGTH;
use ntex::web::HttpRequest;
use ntex::web::types::Payload;

/// The largest request body accepted; a transaction or a payment is under 100 bytes.
pub const MAX_BODY: usize = 4 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the request body is larger than {MAX_BODY} bytes")]
    TooLarge,
    #[error("the request body could not be read")]
    Unreadable(#[from] ntex::http::error::PayloadError),
}

/// The whole body, up to [`MAX_BODY`] bytes.
pub async fn read_body(req: &HttpRequest, mut payload: Payload) -> Result<Vec<u8>, BodyError> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_BODY) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(128));
    while let Some(chunk) = payload.recv().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
