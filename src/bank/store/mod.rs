//! PostgreSQL storage. Every call is one round trip: `transact` and `statement` each run one
//! statement from `queries/`, prepared once when its connection is made (see
//! `connection.rs`, where the two preparations pipeline) and reused. Nothing on a request's
//! path pipelines: a request needs exactly one query.
//!
//! Why statements rather than functions in the database: a prepared statement keeps its
//! plan across calls and runs without a procedural-language interpreter, which made
//! PostgreSQL spend about 14 % less CPU per request under `rinha bench stress`
//! (docs/performance-history.md). The database still owns the invariant: the statement's
//! conditional UPDATE and the table's CHECK constraint.
//!
//! A [`Store`] owns its own pool. `serve` builds one per worker inside that worker, so a
//! connection's I/O task runs on the thread that uses it.

mod audit;
mod connection;

use tokio_postgres::Row;

use crate::bank::domain::{AccountId, Accounts, Balance, Entry, Kind, NewTransaction, Rejection};
use crate::bank::domain::{Statement, Summary};
use connection::BankStatements;

use crate::db::{self, StoreError};
pub use audit::{Audit, Discrepancy};

const TRANSACT: &str = include_str!("queries/transact.sql");
const STATEMENT: &str = include_str!("queries/statement.sql");
const ACCOUNTS: &str = "SELECT id FROM clientes";

/// What became of a valid transaction.
pub type Outcome = Result<Balance, Rejection>;

#[derive(Clone)]
pub struct Store {
    pool: db::Pool<BankStatements>,
}

impl Store {
    /// A store over the connections `options` describes.
    pub fn new(config: tokio_postgres::Config, options: db::PoolOptions) -> Self {
        Self {
            pool: db::pool(config, options),
        }
    }

    /// How many connections the pool holds and lends now, and how many callers wait.
    pub fn pool_status(&self) -> deadpool::Status {
        self.pool.status()
    }

    /// Makes every connection of the pool now, rather than on the first requests.
    pub async fn open(&self) -> Result<(), StoreError> {
        Ok(self.pool.open().await?)
    }

    /// The accounts that exist.
    pub async fn accounts(&self) -> Result<Accounts, StoreError> {
        let connection = self.pool.get().await?;
        let rows = connection.client.query(ACCOUNTS, &[]).await?;
        Ok(Accounts::new(rows.iter().map(|row| row.get(0)).collect()))
    }

    /// Applies a transaction, or says why the bank refused it.
    pub async fn transact(
        &self,
        id: AccountId,
        tx: &NewTransaction,
    ) -> Result<Outcome, StoreError> {
        let connection = self.pool.get().await?;
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] = [
            &id.get(),
            &tx.amount.get(),
            &tx.kind.code(),
            &tx.description.as_str(),
        ];
        let Some(row) = connection
            .client
            .query_opt(&connection.statements.transact, &params)
            .await?
        else {
            return Ok(Err(Rejection::NoSuchAccount));
        };
        match row.try_get::<_, &str>(0)? {
            "applied" => Ok(Ok(Balance {
                limit: row.try_get(1)?,
                balance: row.try_get(2)?,
            })),
            "insufficient_limit" => Ok(Err(Rejection::InsufficientLimit)),
            "balance_overflow" => Ok(Err(Rejection::BalanceOverflow)),
            other => Err(StoreError::Unexpected(other.to_owned())),
        }
    }

    /// The account's statement, or `None` if the account does not exist (any more).
    pub async fn statement(&self, id: AccountId) -> Result<Option<Statement>, StoreError> {
        let connection = self.pool.get().await?;
        let rows = connection
            .client
            .query(&connection.statements.statement, &[&id.get()])
            .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let summary = Summary {
            limit: first.try_get(0)?,
            total: first.try_get(1)?,
            taken_at: first.try_get::<_, time::OffsetDateTime>(2)?.into(),
        };
        let mut recent = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Some(entry) = entry(row)? {
                recent.push(entry);
            }
        }
        Ok(Some(Statement { summary, recent }))
    }

    /// Succeeds when a connection answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let connection = self.pool.get().await?;
        connection.client.simple_query("").await?;
        Ok(())
    }
}

/// The transaction in a statement row, if the row has one.
fn entry(row: &Row) -> Result<Option<Entry>, StoreError> {
    let Some(amount) = row.try_get::<_, Option<i64>>(3)? else {
        return Ok(None);
    };
    let code: &str = row.try_get(4)?;
    let kind = Kind::from_code(code).ok_or_else(|| StoreError::Unexpected(code.to_owned()))?;
    Ok(Some(Entry {
        amount,
        kind,
        description: row.try_get(5)?,
        applied_at: row.try_get::<_, time::OffsetDateTime>(6)?.into(),
    }))
}
