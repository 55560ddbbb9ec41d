//! A pool of PostgreSQL connections, each carrying its edition's statements, prepared once
//! when the connection is made: a request takes its statement from a field instead of
//! hashing the statement's text into a cache on every call.
//!
//! Two ways to share the connections ([`Sharing`]): a request checks one out for itself
//! (deadpool), or every request uses the next of a few connections at once, its queries
//! pipelined on that connection's socket with the others' (tokio-postgres sends a query
//! while earlier ones are still being answered). Fewer, busier backends wake less often and
//! keep their caches warm; a request never waits for a connection to be given back.

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use deadpool::managed::{self, Metrics, Object, PoolError, RecycleResult, Status, TimeoutType};
use deadpool_postgres::{ManagerConfig, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::NoTls;

use super::error::transient;

/// How often a request that finds the database restarting tries to connect again.
pub const RECONNECT_EVERY: Duration = Duration::from_millis(50);

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

/// How a worker's requests share its connections ([`Sharing::meaning`] says each way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    Exclusive,
    Shared,
}

impl Sharing {
    pub const ALL: [Self; 2] = [Self::Exclusive, Self::Shared];

    /// The name on the command line and in `RINHA_POOL_SHARING`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Exclusive => "exclusive",
            Self::Shared => "shared",
        }
    }

    /// What it means, as `--help` tells it.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::Exclusive => {
                "A request has a connection to itself until it is done (a pool of `size`)"
            }
            Self::Shared => {
                "Requests take turns over `size` connections and pipeline their queries on them"
            }
        }
    }
}

/// A worker's connections; its clones share them.
pub enum Pool<S: Statements> {
    Exclusive(Exclusive<S>),
    Shared(Arc<Shared<S>>),
}

impl<S: Statements> Clone for Pool<S> {
    fn clone(&self) -> Self {
        match self {
            Self::Exclusive(exclusive) => Self::Exclusive(Exclusive {
                pool: exclusive.pool.clone(),
                reconnect_for: exclusive.reconnect_for,
            }),
            Self::Shared(shared) => Self::Shared(Arc::clone(shared)),
        }
    }
}

/// Connections a request checks out for itself (deadpool).
pub struct Exclusive<S: Statements> {
    pool: managed::Pool<Manager<S>>,
    reconnect_for: Duration,
}

/// Makes a connection with `attempt`, and makes it again every [`RECONNECT_EVERY`] while
/// the database refuses connections (it is restarting) and `deadline` leaves time to.
async fn reconnecting<T, A>(
    deadline: Instant,
    mut attempt: impl FnMut() -> A,
) -> Result<T, PoolError<tokio_postgres::Error>>
where
    A: Future<Output = Result<T, PoolError<tokio_postgres::Error>>>,
{
    loop {
        match attempt().await {
            Err(PoolError::Backend(e))
                if transient(&e) && Instant::now() + RECONNECT_EVERY <= deadline =>
            {
                tokio::time::sleep(RECONNECT_EVERY).await;
            }
            made => return made,
        }
    }
}

/// A connection a request is using: its own, or one it shares.
pub enum Lease<S: Statements> {
    Exclusive(Object<Manager<S>>),
    Shared(Arc<Connection<S>>),
}

impl<S: Statements> Deref for Lease<S> {
    type Target = Connection<S>;

    fn deref(&self) -> &Connection<S> {
        match self {
            Self::Exclusive(object) => object,
            Self::Shared(connection) => connection,
        }
    }
}

impl<S: Statements> Pool<S> {
    /// A connection for one request; an error when none can be had within the wait. A
    /// database that refuses connections for a while (it is restarting) is tried again
    /// every `RECONNECT_EVERY` for as long as [`PoolOptions::reconnect_for`] allows.
    pub async fn get(&self) -> Result<Lease<S>, PoolError<tokio_postgres::Error>> {
        match self {
            // Boxed, as `Shared::get` boxes making a connection: deadpool's future holds
            // that inline, tens of KB that every caller's future would otherwise carry.
            Self::Exclusive(exclusive) => {
                let deadline = Instant::now() + exclusive.reconnect_for;
                reconnecting(deadline, || Box::pin(exclusive.pool.get()))
                    .await
                    .map(Lease::Exclusive)
            }
            Self::Shared(shared) => shared.get().await.map(Lease::Shared),
        }
    }

    /// Makes every connection the pool may have, so that the first requests do not wait
    /// for PostgreSQL to start a backend and for the statements to be prepared (several
    /// milliseconds each, the slowest requests of a run otherwise).
    pub async fn open(&self) -> Result<(), PoolError<tokio_postgres::Error>> {
        let size = self.status().max_size;
        // Held together: a lease given back would only be lent again.
        let mut held = Vec::with_capacity(size);
        for _ in 0..size {
            held.push(self.get().await?);
        }
        Ok(())
    }

    /// How many connections the pool may have, has, has free, and how many requests wait.
    pub fn status(&self) -> Status {
        match self {
            Self::Exclusive(exclusive) => exclusive.pool.status(),
            Self::Shared(shared) => shared.status(),
        }
    }
}

/// Connections every request uses at once, taken in turn. A connection found closed is
/// made again by the request that finds it, while the others that want it wait: while the
/// database restarts, one request tries every [`RECONNECT_EVERY`] and the rest queue
/// behind it, each until its own `reconnect_for` (or `wait`) is over.
pub struct Shared<S: Statements> {
    manager: Manager<S>,
    slots: Vec<tokio::sync::Mutex<Option<Arc<Connection<S>>>>>,
    next: AtomicUsize,
    wait: Duration,
    reconnect_for: Duration,
}

impl<S: Statements> Shared<S> {
    async fn get(&self) -> Result<Arc<Connection<S>>, PoolError<tokio_postgres::Error>> {
        let deadline = Instant::now() + self.reconnect_for;
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        let mut slot = tokio::time::timeout(self.wait, self.slots[turn].lock())
            .await
            .map_err(|_| PoolError::Timeout(TimeoutType::Wait))?;
        if let Some(connection) = slot.as_ref().filter(|c| !c.client.is_closed()) {
            return Ok(Arc::clone(connection));
        }
        *slot = None;
        let connection = reconnecting(deadline, || async {
            // Boxed: making a connection (connecting, preparing every statement) is a
            // future of tens of KB, and kept inline it would make every caller's future as
            // large, to be copied on each request and each spawn for a path taken once per
            // connection.
            let create = Box::pin(managed::Manager::create(&self.manager));
            tokio::time::timeout(self.wait, create)
                .await
                .map_err(|_| PoolError::Timeout(TimeoutType::Create))?
                .map_err(PoolError::Backend)
        })
        .await?;
        Ok(Arc::clone(slot.insert(Arc::new(connection))))
    }

    fn status(&self) -> Status {
        let size = self
            .slots
            .iter()
            .filter(|slot| slot.try_lock().is_ok_and(|c| c.is_some()))
            .count();
        Status {
            max_size: self.slots.len(),
            size,
            available: size,
            waiting: 0,
        }
    }
}

/// How many connections a worker has, how its requests share them, how long a request
/// waits for one, and for how long a request keeps trying a database that refuses
/// connections (zero: it gets its error at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    pub size: usize,
    pub sharing: Sharing,
    pub wait: Duration,
    pub reconnect_for: Duration,
}

impl PoolOptions {
    /// One connection, for what a worker does before it serves (waiting for the database,
    /// which it tries again itself).
    pub fn single(wait: Duration) -> Self {
        Self {
            size: 1,
            sharing: Sharing::Exclusive,
            wait,
            reconnect_for: Duration::ZERO,
        }
    }
}

/// The connections `options` describes.
pub fn pool<S: Statements>(config: tokio_postgres::Config, options: PoolOptions) -> Pool<S> {
    let PoolOptions {
        size,
        sharing,
        wait,
        reconnect_for,
    } = options;
    let manager = Manager(
        deadpool_postgres::Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        ),
        PhantomData,
    );
    match sharing {
        Sharing::Exclusive => {
            let timeouts = Timeouts {
                wait: Some(wait),
                create: Some(wait),
                recycle: Some(wait),
            };
            Pool::Exclusive(Exclusive {
                pool: managed::Pool::builder(manager)
                    .max_size(size)
                    .timeouts(timeouts)
                    .runtime(Runtime::Tokio1)
                    .build()
                    .expect("a pool with a runtime and timeouts always builds"),
                reconnect_for,
            })
        }
        Sharing::Shared => Pool::Shared(Arc::new(Shared {
            manager,
            slots: (0..size).map(|_| tokio::sync::Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
            wait,
            reconnect_for,
        })),
    }
}
