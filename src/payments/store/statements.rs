//! The payments' statements, prepared on every connection of the pool.

use tokio_postgres::{Client, Statement};

use crate::db::Statements;

macro_rules! statements {
    ($($name:ident),* $(,)?) => {
        pub struct PaymentStatements {
            $(pub $name: Statement,)*
        }

        impl Statements for PaymentStatements {
            async fn prepare(client: &Client) -> Result<Self, tokio_postgres::Error> {
                $(let $name = client.prepare(include_str!(concat!("queries/", stringify!($name), ".sql")));)*
                let ($($name,)*) = tokio::try_join!($($name),*)?;
                Ok(Self { $($name,)* })
            }
        }
    };
}

statements![
    accept_sending,
    accept_queued,
    claim_queued,
    settle_paid,
    release,
    mark_unknown,
    take_over,
    summary,
    health_turn,
    health_record,
    health_read,
    heartbeat,
];
