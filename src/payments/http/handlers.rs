use std::time::Instant;

use ntex::http::header::{CONTENT_TYPE, HeaderValue};
use ntex::web::types::{Payload, State};
use ntex::web::{HttpRequest, HttpResponse};

use super::{ApiError, AppState};
use crate::payments::domain::{NewPayment, Window};
use crate::payments::store::Accepted;
use crate::server::read_body;

const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");
const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");

/// `POST /payments`: 202 once the payment is in the journal, or in PostgreSQL without
/// one, whether new or a repeat; it is paid after the answer leaves. 503 when it could not
/// be written to the journal, or stored soon enough after its arrival: then it is stored
/// nowhere.
pub async fn pay(
    req: HttpRequest,
    payload: Payload,
    app: State<AppState>,
) -> Result<HttpResponse, ApiError> {
    let arrival = Instant::now();
    let payment = NewPayment::from_json(&mut read_body(&req, payload).await?)?;
    if let Some(journal) = &app.journal {
        let entry = journal.append(&payment).map_err(ApiError::Journal)?;
        app.paying.keep(payment, entry);
        return Ok(HttpResponse::Accepted().finish());
    }
    match app.paying.accept(payment, arrival).await?? {
        Accepted::New => {}
        Accepted::Repeat => {
            tracing::debug!(id = %payment.id, "a repeated correlationId: accepted once already");
        }
        Accepted::Late => return Err(ApiError::Late),
    }
    Ok(HttpResponse::Accepted().finish())
}

/// `GET /payments-summary?from=&to=`.
pub async fn summary(req: HttpRequest, app: State<AppState>) -> Result<HttpResponse, ApiError> {
    let window = Window::from_query(req.query_string())?;
    let summary = app.paying.summary(window).await??;
    Ok(HttpResponse::Ok()
        .header(CONTENT_TYPE, APPLICATION_JSON)
        .body(summary.to_json()))
}

/// `POST /purge-payments`: forgets every payment, the journal's too.
pub async fn purge(app: State<AppState>) -> Result<HttpResponse, ApiError> {
    if let Some(journal) = &app.journal {
        journal.purge().map_err(ApiError::Journal)?;
    }
    app.paying.purge().await??;
    Ok(HttpResponse::Ok().finish())
}

/// `GET /healthz`: 200 once this worker can reach the database.
pub async fn health(app: State<AppState>) -> Result<HttpResponse, ApiError> {
    app.paying.ping().await??;
    Ok(HttpResponse::Ok()
        .header(CONTENT_TYPE, TEXT_PLAIN)
        .body("Healthy"))
}
