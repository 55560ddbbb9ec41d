//! The ledger audit, run after every test and every bench: for each account, the balance
//! equals the sum of its transactions and is at least `-limite`.

use std::fmt;

const DISCREPANCIES: &str = include_str!("queries/audit.sql");
const COUNTS: &str = "SELECT (SELECT count(*) FROM clientes), (SELECT count(*) FROM transacoes)";

/// An account whose books do not balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discrepancy {
    pub account: i32,
    pub limit: i32,
    pub balance: i64,
    /// The sum of the account's transactions (as text: it may not fit a bigint).
    pub ledger: String,
}

/// What the audit saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    pub accounts: i64,
    pub transactions: i64,
    pub discrepancies: Vec<Discrepancy>,
}

impl Audit {
    pub async fn run(client: &tokio_postgres::Client) -> Result<Self, tokio_postgres::Error> {
        let counts = client.query_one(COUNTS, &[]).await?;
        let discrepancies = client
            .query(DISCREPANCIES, &[])
            .await?
            .iter()
            .map(|row| Discrepancy {
                account: row.get(0),
                limit: row.get(1),
                balance: row.get(2),
                ledger: row.get(3),
            })
            .collect();
        Ok(Self {
            accounts: counts.get(0),
            transactions: counts.get(1),
            discrepancies,
        })
    }

    pub fn balances(&self) -> bool {
        self.discrepancies.is_empty()
    }
}

impl fmt::Display for Audit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ledger audit: {} accounts, {} transactions: ",
            self.accounts, self.transactions
        )?;
        if self.balances() {
            return f
                .write_str("every balance is the sum of its transactions and within its limit");
        }
        f.write_str("THE BOOKS DO NOT BALANCE")?;
        for d in &self.discrepancies {
            write!(
                f,
                "\n  account {}: balance {}, transactions sum to {}, limit {}",
                d.account, d.balance, d.ledger, d.limit
            )?;
        }
        Ok(())
    }
}
