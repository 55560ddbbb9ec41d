use std::sync::Arc;

use serde::Serialize;

/// The id of an account known to exist; only [`Accounts::find`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountId(i32);

impl AccountId {
    pub fn get(self) -> i32 {
        self.0
    }
}

/// The accounts that exist, read from the database once at start-up.
///
/// Accounts are created by the seed before any instance starts and never change while it
/// runs, so an unknown id is answered without asking the database.
#[derive(Debug, Clone)]
pub struct Accounts(Arc<[i32]>);

impl Accounts {
    pub fn new(mut ids: Vec<i32>) -> Self {
        ids.sort_unstable();
        ids.dedup();
        Self(ids.into())
    }

    pub fn find(&self, id: i32) -> Option<AccountId> {
        self.0.binary_search(&id).ok().map(|_| AccountId(id))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An account's limit and balance right after a transaction was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Balance {
    #[serde(rename = "limite")]
    pub limit: i32,
    #[serde(rename = "saldo")]
    pub balance: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seeded_id_is_found() {
        let accounts = Accounts::new(vec![3, 1, 2]);
        assert_eq!(accounts.find(2).map(AccountId::get), Some(2));
    }

    #[test]
    fn an_id_that_was_not_seeded_is_not_found() {
        let accounts = Accounts::new(vec![1, 2, 3, 4, 5]);
        for id in [0, 6, -1, i32::MAX, i32::MIN] {
            assert_eq!(accounts.find(id), None, "id {id}");
        }
    }

    #[test]
    fn a_balance_serialises_with_the_contract_field_names() {
        let body = simd_json::to_string(&Balance {
            limit: 100_000,
            balance: -9_098,
        })
        .unwrap();
        assert_eq!(body, r#"{"limite":100000,"saldo":-9098}"#);
    }
}
