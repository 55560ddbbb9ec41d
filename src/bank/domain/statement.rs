use serde::Serialize;

use super::{Kind, Timestamp};

/// A statement: the balance when it was taken and the newest transactions, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    #[serde(rename = "saldo")]
    pub summary: Summary,
    #[serde(rename = "ultimas_transacoes")]
    pub recent: Vec<Entry>,
}

impl Statement {
    /// How many transactions a statement lists at most.
    pub const RECENT: usize = 10;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub total: i64,
    #[serde(rename = "data_extrato")]
    pub taken_at: Timestamp,
    #[serde(rename = "limite")]
    pub limit: i32,
}

/// One applied transaction as the ledger recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    #[serde(rename = "valor")]
    pub amount: i64,
    #[serde(rename = "tipo")]
    pub kind: Kind,
    #[serde(rename = "descricao")]
    pub description: String,
    #[serde(rename = "realizada_em")]
    pub applied_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_statement_serialises_with_the_contract_field_names() {
        let statement = Statement {
            summary: Summary {
                total: -9098,
                taken_at: datetime!(2024-01-17 02:34:41.217753 UTC).into(),
                limit: 100_000,
            },
            recent: vec![Entry {
                amount: 10,
                kind: Kind::Credit,
                description: "descricao".into(),
                applied_at: datetime!(2024-01-17 02:34:38.54303 UTC).into(),
            }],
        };
        assert_eq!(
            simd_json::to_string(&statement).unwrap(),
            concat!(
                r#"{"saldo":{"total":-9098,"data_extrato":"2024-01-17T02:34:41.217753Z","limite":100000},"#,
                r#""ultimas_transacoes":[{"valor":10,"tipo":"c","descricao":"descricao","#,
                r#""realizada_em":"2024-01-17T02:34:38.543030Z"}]}"#
            )
        );
    }
}
