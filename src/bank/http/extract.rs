//! Reading a request: the account named in the path, failing as an [`ApiError`] so that
//! the one mapping in `error.rs` decides every status code.

use ntex::web::HttpRequest;

use super::{ApiError, AppState};
use crate::bank::domain::AccountId;

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
