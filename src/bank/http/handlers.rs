use ntex::http::header::{CONTENT_TYPE, HeaderValue};
use ntex::web::types::{Payload, State};
use ntex::web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::{ApiError, AppState};
use crate::bank::domain::NewTransaction;
use crate::server::read_body;

const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");
const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");

/// `POST /clientes/{id}/transacoes`. An unknown account is a 404 whatever the body.
pub async fn transact(
    req: HttpRequest,
    payload: Payload,
    app: State<AppState>,
) -> Result<HttpResponse, ApiError> {
    let account = app.account(&req)?;
    let transaction = NewTransaction::from_json(&mut read_body(&req, payload).await?)?;
    let balance = app.store.transact(account, &transaction).await??;
    json(&balance)
}

/// `GET /clientes/{id}/extrato`.
pub async fn statement(req: HttpRequest, app: State<AppState>) -> Result<HttpResponse, ApiError> {
    let account = app.account(&req)?;
    let statement = app
        .store
        .statement(account)
        .await?
        .ok_or(ApiError::NotFound)?;
    json(&statement)
}

/// `GET /healthz`: 200 once this worker can reach the database.
pub async fn health(app: State<AppState>) -> Result<HttpResponse, ApiError> {
    app.store.ping().await?;
    Ok(HttpResponse::Ok()
        .header(CONTENT_TYPE, TEXT_PLAIN)
        .body("Healthy"))
}

fn json(value: &impl Serialize) -> Result<HttpResponse, ApiError> {
    let body = simd_json::to_vec(value)?;
    Ok(HttpResponse::Ok()
        .header(CONTENT_TYPE, APPLICATION_JSON)
        .body(body))
}
