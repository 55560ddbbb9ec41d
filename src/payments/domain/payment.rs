use serde::Deserialize;
use uuid::Uuid;

use super::Cents;
use crate::json::Object;

/// A payment as a client asks for it: `{"correlationId": "<uuid>", "amount": 19.90}`.
/// Both fields are required and already valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewPayment {
    pub id: Uuid,
    pub amount: Cents,
}

/// Why a request body is not a payment.
#[derive(Debug, thiserror::Error)]
pub enum InvalidPayment {
    #[error("invalid payment: {0}")]
    Json(#[from] simd_json::Error),
    #[error("invalid payment: correlationId {0:?} is not a UUID")]
    NotAUuid(String),
    #[error("invalid payment: amount {0} is not a positive number with at most two decimals")]
    Amount(f64),
}

/// The body as JSON has it; [`NewPayment::from_json`] turns it into values.
#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(rename = "correlationId", borrow)]
    correlation_id: std::borrow::Cow<'a, str>,
    amount: f64,
}

impl NewPayment {
    /// Parses a JSON body. simd-json parses in place, so the buffer is scratch space.
    /// Unknown fields are ignored; a missing or `null` field is not a payment.
    pub fn from_json(body: &mut [u8]) -> Result<Self, InvalidPayment> {
        let Object(wire): Object<Wire> = simd_json::serde::from_slice(body)?;
        let id = Uuid::try_parse(&wire.correlation_id)
            .map_err(|_| InvalidPayment::NotAUuid(wire.correlation_id.clone().into_owned()))?;
        let amount = Cents::from_decimal(wire.amount).ok_or(InvalidPayment::Amount(wire.amount))?;
        Ok(Self { id, amount })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<NewPayment, InvalidPayment> {
        NewPayment::from_json(&mut body.as_bytes().to_vec())
    }

    #[test]
    fn a_payment_has_a_uuid_and_an_amount_in_cents() {
        let p = parse(r#"{"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3","amount":19.90}"#)
            .unwrap();
        assert_eq!(p.id.to_string(), "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3");
        assert_eq!(p.amount, Cents::new(1990));
    }

    #[test]
    fn an_integer_amount_is_whole_units() {
        let p = parse(r#"{"amount":20,"correlationId":"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3"}"#);
        assert_eq!(p.unwrap().amount, Cents::new(2000));
    }

    #[test]
    fn anything_else_is_refused() {
        let id = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3";
        for body in [
            format!(r#"{{"correlationId":"{id}"}}"#),
            format!(r#"{{"correlationId":"{id}","amount":null}}"#),
            format!(r#"{{"correlationId":"{id}","amount":"19.90"}}"#),
            format!(r#"{{"correlationId":"{id}","amount":19.901}}"#),
            format!(r#"{{"correlationId":"{id}","amount":0}}"#),
            format!(r#"{{"correlationId":"{id}","amount":-19.90}}"#),
            r#"{"correlationId":"not-a-uuid","amount":19.90}"#.to_owned(),
            r#"{"correlationId":null,"amount":19.90}"#.to_owned(),
            r#"{"amount":19.90}"#.to_owned(),
            format!(r#"["{id}",19.90]"#),
            "{".to_owned(),
            String::new(),
        ] {
            assert!(parse(&body).is_err(), "{body}");
        }
    }
}
