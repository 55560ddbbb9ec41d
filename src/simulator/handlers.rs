//! One function per endpoint: read the request, ask the processor, answer. Every refusal
//! has an empty body; the status code says it all.

use std::sync::Arc;

use ntex::http::StatusCode;
use ntex::util::Bytes;
use ntex::web::types::State;
use ntex::web::{HttpRequest, HttpResponse};
use uuid::Uuid;

use super::auth::Admin;
use super::state::{Outcome, Processor};
use super::wire;

type App = State<Arc<Processor>>;

/// `POST /payments`: 400 unreadable; after the delay, 500 failing, 422 duplicate, or 200.
pub async fn pay(body: Bytes, app: App) -> HttpResponse {
    let Some(payment) = wire::payment(&body) else {
        return empty(StatusCode::BAD_REQUEST);
    };
    match app.pay(payment).await {
        Outcome::Stored => json(wire::PROCESSED.to_owned()),
        Outcome::Duplicate => empty(StatusCode::UNPROCESSABLE_ENTITY),
        Outcome::Failing => empty(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// `GET /payments/service-health`: the settings as they are when the permit comes, or 429.
pub async fn health(app: App) -> HttpResponse {
    match app.health.enter().await {
        Ok(()) => json(wire::health(app.failing(), app.delay_ms())),
        Err(_) => empty(StatusCode::TOO_MANY_REQUESTS),
    }
}

/// `GET /payments/{id}`: a stored payment, or 404 (an id that is no UUID included).
pub async fn payment(req: HttpRequest, app: App) -> HttpResponse {
    let id = req
        .match_info()
        .get("id")
        .and_then(|id| Uuid::parse_str(id).ok());
    match id.and_then(|id| app.payment(&id)) {
        Some(payment) => json(wire::stored(&payment)),
        None => empty(StatusCode::NOT_FOUND),
    }
}

/// `GET /admin/payments-summary?from=&to=`: 400 when a bound is no instant.
pub async fn summary(_: Admin, req: HttpRequest, app: App) -> HttpResponse {
    match wire::window(req.query_string()) {
        Some(window) => json(wire::summary(&app.summary(&window), app.fee)),
        None => empty(StatusCode::BAD_REQUEST),
    }
}

/// `PUT /admin/configurations/delay {"delay": ms}`: 200, for payments arriving from now.
pub async fn set_delay(_: Admin, body: Bytes, app: App) -> HttpResponse {
    let Some(delay_ms) = wire::delay(&body) else {
        return empty(StatusCode::BAD_REQUEST);
    };
    app.set_delay_ms(delay_ms);
    tracing::info!(delay_ms, "delay set");
    empty(StatusCode::OK)
}

/// `PUT /admin/configurations/failure {"failure": bool}`: 200, for every payment decided
/// from now, those already waiting in their delay included.
pub async fn set_failure(_: Admin, body: Bytes, app: App) -> HttpResponse {
    let Some(failing) = wire::failure(&body) else {
        return empty(StatusCode::BAD_REQUEST);
    };
    app.set_failing(failing);
    tracing::info!(failing, "failure set");
    empty(StatusCode::OK)
}

/// `PUT /admin/configurations/token {"token": "..."}`: 204; the old token stops working.
pub async fn set_token(_: Admin, body: Bytes, app: App) -> HttpResponse {
    let Some(token) = wire::token(&body) else {
        return empty(StatusCode::BAD_REQUEST);
    };
    app.set_token(token);
    tracing::info!("admin token changed");
    empty(StatusCode::NO_CONTENT)
}

/// `POST /admin/purge-payments`: 200, every payment forgotten.
pub async fn purge(_: Admin, app: App) -> HttpResponse {
    app.purge();
    tracing::info!("payments purged");
    empty(StatusCode::OK)
}

fn json(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}

fn empty(status: StatusCode) -> HttpResponse {
    HttpResponse::new(status)
}
