use serde::{Deserialize, Serialize};

use crate::json::Object;

/// A positive number of cents. JSON floats, strings, zero and negatives never become one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "i64")]
pub struct Amount(i64);

impl Amount {
    pub fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for Amount {
    type Error = &'static str;

    fn try_from(value: i64) -> Result<Self, Self::Error> {
        if value > 0 {
            Ok(Self(value))
        } else {
            Err("valor must be a positive integer")
        }
    }
}

/// Whether a transaction adds to the balance or takes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Kind {
    #[serde(rename = "c")]
    Credit,
    #[serde(rename = "d")]
    Debit,
}

impl Kind {
    /// The one-letter code used on the wire and in the ledger.
    pub fn code(self) -> &'static str {
        match self {
            Self::Credit => "c",
            Self::Debit => "d",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "c" => Some(Self::Credit),
            "d" => Some(Self::Debit),
            _ => None,
        }
    }
}

/// A description of 1 to 10 characters (Unicode scalar values, not bytes), none of them
/// NUL: PostgreSQL's text cannot hold it, so it could never be recorded.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Description(String);

impl Description {
    pub const MAX_CHARS: usize = 10;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Description {
    type Error = &'static str;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let chars = value.chars().count();
        if !(1..=Self::MAX_CHARS).contains(&chars) {
            Err("descricao must have 1 to 10 characters")
        } else if value.contains('\0') {
            Err("descricao may not contain NUL")
        } else {
            Ok(Self(value))
        }
    }
}

/// A transaction as a client asks for it; every field is already valid.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NewTransaction {
    #[serde(rename = "valor")]
    pub amount: Amount,
    #[serde(rename = "tipo")]
    pub kind: Kind,
    #[serde(rename = "descricao")]
    pub description: Description,
}

/// Why a request body is not a transaction.
#[derive(Debug, thiserror::Error)]
#[error("invalid transaction: {0}")]
pub struct InvalidTransaction(#[from] simd_json::Error);

impl NewTransaction {
    /// Parses a JSON body. simd-json parses in place, so the buffer is scratch space.
    pub fn from_json(body: &mut [u8]) -> Result<Self, InvalidTransaction> {
        let Object(transaction) = simd_json::serde::from_slice(body)?;
        Ok(transaction)
    }
}

/// Why the bank refused a valid transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the debit would take the balance below the limit")]
    InsufficientLimit,
    #[error("the credit would overflow the balance")]
    BalanceOverflow,
    #[error("the account does not exist")]
    NoSuchAccount,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<NewTransaction, InvalidTransaction> {
        NewTransaction::from_json(&mut body.as_bytes().to_vec())
    }

    #[test]
    fn a_well_formed_debit_is_parsed() {
        let tx = parse(r#"{"valor": 1000, "tipo": "d", "descricao": "descricao"}"#).unwrap();
        assert_eq!(tx.amount.get(), 1000);
        assert_eq!(tx.kind, Kind::Debit);
        assert_eq!(tx.description.as_str(), "descricao");
    }

    #[test]
    fn a_description_is_measured_in_characters_not_bytes() {
        let tx = parse(r#"{"valor": 1, "tipo": "c", "descricao": "ação ação!"}"#).unwrap();
        assert_eq!(tx.description.as_str().len(), 14);
        assert!(parse(r#"{"valor": 1, "tipo": "c", "descricao": "ação ação!!"}"#).is_err());
    }

    #[test]
    fn unknown_fields_are_ignored() {
        assert!(parse(r#"{"valor": 1, "tipo": "c", "descricao": "x", "extra": [1]}"#).is_ok());
    }

    /// The fuzzer's seeds, and any input it ever found a fault with, stay regression tests.
    #[test]
    fn every_body_of_the_fuzz_corpus_parses_to_a_valid_transaction_or_an_error() {
        let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/transaction_body");
        let mut bodies = 0;
        for entry in std::fs::read_dir(corpus).unwrap() {
            let mut body = std::fs::read(entry.unwrap().path()).unwrap();
            if let Ok(tx) = NewTransaction::from_json(&mut body) {
                assert!(tx.amount.get() > 0);
                let chars = tx.description.as_str().chars().count();
                assert!((1..=Description::MAX_CHARS).contains(&chars));
                assert!(!tx.description.as_str().contains('\0'));
            }
            bodies += 1;
        }
        assert!(bodies >= 7, "the corpus lost its seeds: {bodies} bodies");
    }

    #[test]
    fn every_malformed_body_is_rejected() {
        let cases = [
            (
                "float valor",
                r#"{"valor": 1.2, "tipo": "c", "descricao": "x"}"#,
            ),
            (
                "float with zero fraction",
                r#"{"valor": 1.0, "tipo": "c", "descricao": "x"}"#,
            ),
            (
                "exponent valor",
                r#"{"valor": 1e3, "tipo": "c", "descricao": "x"}"#,
            ),
            (
                "string valor",
                r#"{"valor": "10", "tipo": "c", "descricao": "x"}"#,
            ),
            (
                "zero valor",
                r#"{"valor": 0, "tipo": "c", "descricao": "x"}"#,
            ),
            (
                "negative valor",
                r#"{"valor": -5, "tipo": "c", "descricao": "x"}"#,
            ),
            (
                "valor past i64",
                r#"{"valor": 9223372036854775808, "tipo": "c", "descricao": "x"}"#,
            ),
            (
                "huge valor",
                r#"{"valor": 1000000000000000000000000, "tipo": "c", "descricao": "x"}"#,
            ),
            (
                "null valor",
                r#"{"valor": null, "tipo": "c", "descricao": "x"}"#,
            ),
            ("missing valor", r#"{"tipo": "c", "descricao": "x"}"#),
            (
                "unknown tipo",
                r#"{"valor": 1, "tipo": "x", "descricao": "x"}"#,
            ),
            (
                "upper-case tipo",
                r#"{"valor": 1, "tipo": "C", "descricao": "x"}"#,
            ),
            (
                "null tipo",
                r#"{"valor": 1, "tipo": null, "descricao": "x"}"#,
            ),
            ("missing tipo", r#"{"valor": 1, "descricao": "x"}"#),
            (
                "empty descricao",
                r#"{"valor": 1, "tipo": "c", "descricao": ""}"#,
            ),
            (
                "long descricao",
                r#"{"valor": 1, "tipo": "c", "descricao": "12345678901"}"#,
            ),
            (
                "NUL in descricao",
                r#"{"valor": 1, "tipo": "c", "descricao": "a\u0000b"}"#,
            ),
            (
                "null descricao",
                r#"{"valor": 1, "tipo": "c", "descricao": null}"#,
            ),
            (
                "number descricao",
                r#"{"valor": 1, "tipo": "c", "descricao": 5}"#,
            ),
            ("missing descricao", r#"{"valor": 1, "tipo": "c"}"#),
            (
                "duplicate field",
                r#"{"valor": 1, "valor": 2, "tipo": "c", "descricao": "x"}"#,
            ),
            ("null body", "null"),
            ("array body", "[1, \"c\", \"x\"]"),
            ("empty body", ""),
            ("truncated", r#"{"valor": 1, "tipo": "c", "descricao": "x""#),
            (
                "trailing garbage",
                r#"{"valor": 1, "tipo": "c", "descricao": "x"} x"#,
            ),
        ];
        for (case, body) in cases {
            assert!(parse(body).is_err(), "{case}: {body}");
        }
    }
}
