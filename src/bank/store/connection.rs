//! The bank's two statements, prepared on every connection of its pool.

use crate::db::Statements;

use super::{STATEMENT, TRANSACT};

pub struct BankStatements {
    pub transact: tokio_postgres::Statement,
    pub statement: tokio_postgres::Statement,
}

impl Statements for BankStatements {
    async fn prepare(client: &tokio_postgres::Client) -> Result<Self, tokio_postgres::Error> {
        let (transact, statement) =
            tokio::try_join!(client.prepare(TRANSACT), client.prepare(STATEMENT))?;
        Ok(Self {
            transact,
            statement,
        })
    }
}
