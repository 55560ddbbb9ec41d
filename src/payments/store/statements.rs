//! The payments' statements, prepared on every connection of the pool that runs them: the
//! accepts on the accepts' own connections, the rest on the others.

use tokio_postgres::{Client, Statement};

use crate::db::Statements;

macro_rules! statements {
    ($(#[$doc:meta])* $kind:ident: $($name:ident),* $(,)?) => {
        $(#[$doc])*
        pub struct $kind {
            $(pub $name: Statement,)*
        }

        impl Statements for $kind {
            async fn prepare(client: &Client) -> Result<Self, tokio_postgres::Error> {
                $(let $name = client.prepare(include_str!(concat!("queries/", stringify!($name), ".sql")));)*
                let ($($name,)*) = tokio::try_join!($($name),*)?;
                Ok(Self { $($name,)* })
            }
        }
    };
}

statements![
    /// Storing a new payment, the only statements a client waits for.
    AcceptStatements: accept_sending, accept_queued,
];

statements![
    /// Everything after the accept: paying, taking over, the summary and the health turns.
    PaymentStatements:
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
    replay,
];
