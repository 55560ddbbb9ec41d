//! A pool of PostgreSQL connections, each carrying its edition's statements, prepared once
//! when the connection is made: a request takes its statement from a field instead of
//! hashing the statement's text into a cache on every call.

use std::marker::PhantomData;
use std::time::Duration;

use deadpool::managed::{self, Metrics, RecycleResult};
use deadpool_postgres::{ManagerConfig, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::NoTls;

/// An edition's prepared statements.
pub trait Statements: Sized + Send + Sync + 'static {
    /// Prepares every statement on a new connection. Polled together, the Parse messages
    /// share one round trip.
    fn prepare(
        client: &tokio_postgres::Client,
    ) -> impl Future<Output = Result<Self, tokio_postgres::Error>> + Send;
}

pub struct Connection<S> {
    pub client: deadpool_postgres::ClientWrapper,
    pub statements: S,
}

/// deadpool-postgres's manager (connecting, recycling), plus the statements.
pub struct Manager<S>(deadpool_postgres::Manager, PhantomData<S>);

impl<S: Statements> managed::Manager for Manager<S> {
    type Type = Connection<S>;
    type Error = tokio_postgres::Error;

    async fn create(&self) -> Result<Connection<S>, tokio_postgres::Error> {
        let client = self.0.create().await?;
        let statements = S::prepare(&client).await?;
        Ok(Connection { client, statements })
    }

    async fn recycle(
        &self,
        connection: &mut Connection<S>,
        metrics: &Metrics,
    ) -> RecycleResult<tokio_postgres::Error> {
        self.0.recycle(&mut connection.client, metrics).await
    }
}

pub type Pool<S> = managed::Pool<Manager<S>>;

/// A pool of up to `size` connections; a caller waits at most `wait` for one.
pub fn pool<S: Statements>(config: tokio_postgres::Config, size: usize, wait: Duration) -> Pool<S> {
    let manager = deadpool_postgres::Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let timeouts = Timeouts {
        wait: Some(wait),
        create: Some(wait),
        recycle: Some(wait),
    };
    Pool::builder(Manager(manager, PhantomData))
        .max_size(size)
        .timeouts(timeouts)
        .runtime(Runtime::Tokio1)
        .build()
        .expect("a pool with a runtime and timeouts always builds")
}
