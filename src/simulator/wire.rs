//! What goes over the wire: request bodies and queries read into checked values, and the
//! JSON answers. Answers are written by hand because amounts must print as exact decimal
//! numbers, which a serde serializer can only write through a float.

use serde::Deserialize;
use simd_json::BorrowedValue;
use simd_json::prelude::*;
use uuid::Uuid;

use super::decimal::Decimal;
use super::ledger::{Payment, Summary, Window};
use super::timestamp::Timestamp;

/// The largest amount accepted, in cents: 9,999,999,999,999.99. Up to 15 significant
/// digits, a JSON number that the parser read as a float prints back as the very decimal
/// that was sent, so reading it through the float loses nothing.
const MAX_CENTS: i128 = 999_999_999_999_999;

/// The body of a stored payment's 200.
pub const PROCESSED: &str = r#"{"message":"payment processed successfully"}"#;

/// `{"correlationId": uuid, "amount": number, "requestedAt": RFC 3339}`, all three
/// required; other fields are ignored. `None` for anything else: the caller answers 400.
pub fn payment(body: &[u8]) -> Option<Payment> {
    let mut scratch = body.to_vec();
    let value = simd_json::to_borrowed_value(&mut scratch).ok()?;
    let fields = value.as_object()?;
    Some(Payment {
        id: Uuid::parse_str(fields.get("correlationId")?.as_str()?).ok()?,
        cents: cents(fields.get("amount")?)?,
        requested_at: Timestamp::parse(fields.get("requestedAt")?.as_str()?)?,
    })
}

/// A JSON number with at most two decimal places (trailing zeros aside), in cents.
fn cents(amount: &BorrowedValue) -> Option<i64> {
    let cents = if let Some(units) = amount.as_i64() {
        i128::from(units).checked_mul(100)?
    } else {
        // Rust prints a float as the shortest decimal that reads back as the same float.
        Decimal::parse(&amount.as_f64()?.to_string(), 2)?.cents()?
    };
    if cents.abs() > MAX_CENTS {
        return None;
    }
    i64::try_from(cents).ok()
}

/// `{"delay": ms}`: a whole number of milliseconds.
pub fn delay(body: &[u8]) -> Option<u32> {
    field(body, "delay", |value| u32::try_from(value.as_u64()?).ok())
}

/// `{"failure": bool}`.
pub fn failure(body: &[u8]) -> Option<bool> {
    field(body, "failure", |value| value.as_bool())
}

/// `{"token": string}`.
pub fn token(body: &[u8]) -> Option<String> {
    field(body, "token", |value| value.as_str().map(str::to_owned))
}

/// Reads one field of a JSON object body with `read`.
fn field<T>(body: &[u8], name: &str, read: impl FnOnce(&BorrowedValue) -> Option<T>) -> Option<T> {
    let mut scratch = body.to_vec();
    let value = simd_json::to_borrowed_value(&mut scratch).ok()?;
    read(value.as_object()?.get(name)?)
}

/// The query of the admin summary, before its bounds are read.
#[derive(Deserialize)]
struct Bounds {
    from: Option<String>,
    to: Option<String>,
}

/// `?from=&to=`: each bound an RFC 3339 instant, or missing (or empty) for no bound.
/// `None` when a bound or the query itself cannot be read: the caller answers 400.
pub fn window(query: &str) -> Option<Window> {
    let bounds = ntex::web::types::Query::<Bounds>::from_query(query)
        .ok()?
        .into_inner();
    let bound = |text: Option<String>| match text.as_deref() {
        None | Some("") => Some(None),
        Some(text) => Timestamp::parse(text).map(Some),
    };
    Some(Window {
        from: bound(bounds.from)?,
        to: bound(bounds.to)?,
    })
}

/// `{"failing": bool, "minResponseTime": ms}`.
pub fn health(failing: bool, delay_ms: u32) -> String {
    format!(r#"{{"failing":{failing},"minResponseTime":{delay_ms}}}"#)
}

/// A stored payment as `GET /payments/{id}` shows it.
pub fn stored(payment: &Payment) -> String {
    format!(
        r#"{{"correlationId":"{}","amount":{},"requestedAt":"{}"}}"#,
        payment.id,
        Decimal::from_cents(payment.cents.into()),
        payment.requested_at
    )
}

/// The admin summary; `totalFee` is `totalRequests × feePerTransaction`, as the official
/// processor computes it.
pub fn summary(summary: &Summary, fee: Decimal) -> String {
    format!(
        r#"{{"totalAmount":{},"totalRequests":{},"totalFee":{},"feePerTransaction":{fee}}}"#,
        Decimal::from_cents(summary.cents),
        summary.requests,
        fee.times(summary.requests)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3";

    fn body(amount: &str) -> String {
        format!(
            r#"{{"correlationId":"{ID}","amount":{amount},"requestedAt":"2025-07-15T12:34:56.000Z"}}"#
        )
    }

    fn amount(amount: &str) -> Option<i64> {
        payment(body(amount).as_bytes()).map(|p| p.cents)
    }

    #[test]
    fn a_payment_reads_exactly() {
        let read = payment(body("19.90").as_bytes()).unwrap();
        assert_eq!(read.id, Uuid::parse_str(ID).unwrap());
        assert_eq!(read.cents, 1990);
        assert_eq!(read.requested_at.to_string(), "2025-07-15T12:34:56Z");
    }

    #[test]
    fn amounts_are_read_in_exact_cents() {
        let cases = [
            ("19.90", 1990),
            ("19.9", 1990),
            ("0.01", 1),
            ("0.29", 29),
            ("1.005e1", 1005),
            ("20", 2000),
            ("-3.5", -350),
            ("9999999999999.99", MAX_CENTS as i64),
            ("19.900", 1990),
        ];
        for (text, cents) in cases {
            assert_eq!(amount(text), Some(cents), "{text}");
        }
    }

    #[test]
    fn an_amount_beyond_cents_or_range_or_not_a_number_is_refused() {
        for bad in [
            "19.999",
            "0.001",
            "1e15",
            "10000000000000.00",
            "\"19.90\"",
            "null",
            "true",
        ] {
            assert_eq!(amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_malformed_or_incomplete_payment_is_refused() {
        for bad in [
            "",
            "{",
            "[]",
            "null",
            r#"{"amount":1,"requestedAt":"2025-07-15T12:34:56Z"}"#,
            r#"{"correlationId":"x","amount":1,"requestedAt":"2025-07-15T12:34:56Z"}"#,
            &format!(r#"{{"correlationId":"{ID}","requestedAt":"2025-07-15T12:34:56Z"}}"#),
            &format!(r#"{{"correlationId":"{ID}","amount":1}}"#),
            &format!(r#"{{"correlationId":"{ID}","amount":1,"requestedAt":"today"}}"#),
        ] {
            assert_eq!(payment(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn settings_read_their_one_field() {
        assert_eq!(delay(br#"{"delay":1500}"#), Some(1500));
        assert_eq!(failure(br#"{"failure":true}"#), Some(true));
        assert_eq!(token(br#"{"token":"abc"}"#), Some("abc".into()));
        for bad in [
            &br#"{"delay":-1}"#[..],
            br#"{"delay":1.5}"#,
            br#"{"delay":"1"}"#,
            b"{}",
        ] {
            assert_eq!(delay(bad), None);
        }
        assert_eq!(failure(br#"{"failure":"true"}"#), None);
        assert_eq!(token(br#"{"token":123}"#), None);
    }

    #[test]
    fn summary_bounds_are_optional_but_must_be_instants() {
        let from = Timestamp::parse("2025-07-15T12:00:00Z");
        assert_eq!(window(""), Some(Window::default()));
        assert_eq!(
            window("from=2025-07-15T12%3A00%3A00Z&to="),
            Some(Window { from, to: None })
        );
        assert_eq!(window("from=yesterday"), None);
        assert_eq!(window("to=2025-07-15"), None);
    }

    #[test]
    fn answers_are_exact_json() {
        let summary_body = summary(
            &Summary {
                requests: 3,
                cents: 5970,
            },
            Decimal::parse("0.05", 9).unwrap(),
        );
        assert_eq!(
            summary_body,
            r#"{"totalAmount":59.70,"totalRequests":3,"totalFee":0.15,"feePerTransaction":0.05}"#
        );
        assert_eq!(
            health(true, 100),
            r#"{"failing":true,"minResponseTime":100}"#
        );
    }
}
