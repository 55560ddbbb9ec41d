//! The payments' storage: every transition of a payment's life is one statement of
//! `queries/` (the states are described in `sql/payments/01-schema.sql`), prepared once per
//! connection. Accepting is one round trip; so is recording each outcome.
//!
//! The accepts have connections of their own. A client waits for its accept, and on a
//! connection shared with the dispatcher an accept queued behind whatever was sent before
//! it: under the final's load a settle batch held the socket for a millisecond or more, and
//! the accepts behind it waited it out (docs/performance.md, the seventh sitting). The two kinds
//! never wait for each other: an attempt is only sent, and so only settled, after its
//! accept came back.

mod statements;

use std::time::{Duration, Instant};

use time::OffsetDateTime;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Row, Statement};
use uuid::Uuid;

use crate::db::{self, StoreError};
use crate::payments::domain::{
    Attempt, Cents, CentsTotal, Moment, NewPayment, Processor, Summary, Totals, Window,
};
use statements::{AcceptStatements, PaymentStatements};

/// What an instance knows of a processor from the last health call any instance made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    pub processor: Processor,
    pub failing: bool,
    pub min_response_time: Duration,
    /// How long ago the processor answered.
    pub age: Duration,
    /// When it answered, in milliseconds since the epoch: names the answer.
    pub answered: i64,
}

/// What became of a payment's accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// Stored now.
    New,
    /// Its correlationId was accepted before: nothing changed.
    Repeat,
    /// Not stored, and never will be: its deadline passed first.
    Late,
}

impl Accepted {
    /// From an accept statement's row: whether it was in time, and whether it stored.
    fn of(row: &Row) -> Result<Self, StoreError> {
        Ok(match (row.try_get(0)?, row.try_get(1)?) {
            (false, _) => Self::Late,
            (true, true) => Self::New,
            (true, false) => Self::Repeat,
        })
    }
}

#[derive(Clone)]
pub struct Store {
    accepts: db::Pool<AcceptStatements>,
    pool: db::Pool<PaymentStatements>,
}

/// A duration as the statements take it: whole milliseconds.
fn millis(d: Duration) -> i32 {
    i32::try_from(d.as_millis()).unwrap_or(i32::MAX)
}

impl Store {
    /// A store over two sets of the connections `options` describes: one for the accepts,
    /// one for the rest.
    pub fn new(config: tokio_postgres::Config, options: db::PoolOptions) -> Self {
        Self {
            accepts: db::pool(config.clone(), options),
            pool: db::pool(config, options),
        }
    }

    /// How many connections the accepts' pool holds and lends now, and how many wait.
    pub fn accepts_status(&self) -> deadpool::Status {
        self.accepts.status()
    }

    /// The same of the pool for everything else.
    pub fn pool_status(&self) -> deadpool::Status {
        self.pool.status()
    }

    /// Makes every connection of the pools now, rather than on the first requests.
    pub async fn open(&self) -> Result<(), StoreError> {
        self.accepts.open().await?;
        Ok(self.pool.open().await?)
    }

    /// Runs one of the accept statements if a connection can be had by `deadline`, with
    /// `params` and then the milliseconds left (the statement's last parameter); nothing is
    /// sent when waiting for the connection took all the time there was.
    async fn accept(
        &self,
        deadline: Instant,
        statement: impl Fn(&AcceptStatements) -> &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Accepted, StoreError> {
        let Ok(c) = tokio::time::timeout_at(deadline.into(), self.accepts.get()).await else {
            return Ok(Accepted::Late);
        };
        let c = c?;
        let left = millis(deadline.saturating_duration_since(Instant::now()));
        if left == 0 {
            return Ok(Accepted::Late);
        }
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().copied().chain([&left as _]).collect();
        Accepted::of(
            &c.client
                .query_one(statement(&c.statements), &params)
                .await?,
        )
    }

    /// Records a new payment together with its first attempt, held by `owner` for `lease`,
    /// if PostgreSQL can store it by `deadline`.
    pub async fn accept_sending(
        &self,
        attempt: &Attempt,
        owner: Uuid,
        lease: Duration,
        deadline: Instant,
    ) -> Result<Accepted, StoreError> {
        let params: [&(dyn ToSql + Sync); 6] = [
            &attempt.id,
            &attempt.amount.get(),
            &attempt.processor.name(),
            &attempt.requested_at.get(),
            &owner,
            &millis(lease),
        ];
        self.accept(deadline, |s| &s.accept_sending, &params).await
    }

    /// Records a new payment in the queue, if PostgreSQL can store it by `deadline`.
    pub async fn accept_queued(
        &self,
        payment: &NewPayment,
        deadline: Instant,
    ) -> Result<Accepted, StoreError> {
        let params: [&(dyn ToSql + Sync); 2] = [&payment.id, &payment.amount.get()];
        self.accept(deadline, |s| &s.accept_queued, &params).await
    }

    /// Stores the payments of a journal segment whose worker is gone, in the queue, each
    /// unless its correlationId is stored already; returns how many it stored.
    pub async fn replay(&self, payments: &[NewPayment]) -> Result<u64, StoreError> {
        let c = self.pool.get().await?;
        let ids: Vec<Uuid> = payments.iter().map(|p| p.id).collect();
        let cents: Vec<i64> = payments.iter().map(|p| p.amount.get()).collect();
        let params: [&(dyn ToSql + Sync); 2] = [&ids, &cents];
        let row = c.client.query_one(&c.statements.replay, &params).await?;
        Ok(row.try_get::<_, i64>(0)?.unsigned_abs())
    }

    /// Takes up to `limit` queued payments, accepted at least `waited` ago, for new
    /// attempts at `processor`.
    pub async fn claim_queued(
        &self,
        processor: Processor,
        owner: Uuid,
        lease: Duration,
        limit: usize,
        waited: Duration,
    ) -> Result<Vec<Attempt>, StoreError> {
        let c = self.pool.get().await?;
        let requested_at = Moment::now();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let params: [&(dyn ToSql + Sync); 6] = [
            &processor.name(),
            &requested_at.get(),
            &owner,
            &millis(lease),
            &limit,
            &millis(waited),
        ];
        let rows = c.client.query(&c.statements.claim_queued, &params).await?;
        rows.iter()
            .map(|row| {
                Ok(Attempt {
                    id: row.try_get(0)?,
                    amount: Cents::new(row.try_get(1)?),
                    processor,
                    requested_at,
                })
            })
            .collect()
    }

    /// These attempts' processors stored the payments; returns how many were settled now at
    /// each processor, in [`Processor::ALL`]'s order (an attempt settled before, by another
    /// instance, is left as it is and not counted).
    pub async fn settle_paid(&self, attempts: &[Attempt]) -> Result<[u64; 2], StoreError> {
        let c = self.pool.get().await?;
        let ids: Vec<Uuid> = attempts.iter().map(|a| a.id).collect();
        let processors: Vec<&str> = attempts.iter().map(|a| a.processor.name()).collect();
        let instants: Vec<OffsetDateTime> = attempts.iter().map(|a| a.requested_at.get()).collect();
        let params: [&(dyn ToSql + Sync); 3] = [&ids, &processors, &instants];
        let row = c
            .client
            .query_one(&c.statements.settle_paid, &params)
            .await?;
        let count = |i| row.try_get::<_, i64>(i).map(|n| n.unsigned_abs());
        Ok([count(0)?, count(1)?])
    }

    /// The attempt, sent once by `owner`, was refused: back to the queue.
    pub async fn release(&self, attempt: &Attempt, owner: Uuid) -> Result<bool, StoreError> {
        let c = self.pool.get().await?;
        let params: [&(dyn ToSql + Sync); 3] = [&attempt.id, &owner, &attempt.requested_at.get()];
        Ok(c.client.execute(&c.statements.release, &params).await? == 1)
    }

    /// The attempt got no answer: resend it, unchanged, after `retry`.
    pub async fn mark_unknown(
        &self,
        attempt: &Attempt,
        owner: Uuid,
        retry: Duration,
    ) -> Result<bool, StoreError> {
        let c = self.pool.get().await?;
        let params: [&(dyn ToSql + Sync); 4] = [
            &attempt.id,
            &owner,
            &attempt.requested_at.get(),
            &millis(retry),
        ];
        Ok(c.client
            .execute(&c.statements.mark_unknown, &params)
            .await?
            == 1)
    }

    /// Takes over up to `limit` attempts whose lease ended, to resend them unchanged.
    pub async fn take_over(
        &self,
        owner: Uuid,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Attempt>, StoreError> {
        let c = self.pool.get().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let params: [&(dyn ToSql + Sync); 3] = [&owner, &millis(lease), &limit];
        let rows = c.client.query(&c.statements.take_over, &params).await?;
        rows.iter()
            .map(|row| {
                let name: &str = row.try_get(2)?;
                Ok(Attempt {
                    id: row.try_get(0)?,
                    amount: Cents::new(row.try_get(1)?),
                    processor: Processor::from_name(name)
                        .ok_or_else(|| StoreError::Unexpected(name.to_owned()))?,
                    requested_at: Moment::from(row.try_get::<_, OffsetDateTime>(3)?),
                })
            })
            .collect()
    }

    /// What each processor stored with a requestedAt inside `window`.
    pub async fn summary(&self, window: Window) -> Result<Summary, StoreError> {
        let c = self.pool.get().await?;
        let params: [&(dyn ToSql + Sync); 2] = [&window.from, &window.to];
        let mut summary = Summary::default();
        for row in c.client.query(&c.statements.summary, &params).await? {
            let name: &str = row.try_get(0)?;
            let processor = Processor::from_name(name)
                .ok_or_else(|| StoreError::Unexpected(name.to_owned()))?;
            let amount: &str = row.try_get(2)?;
            let amount = amount
                .parse()
                .map_err(|_| StoreError::Unexpected(amount.to_owned()))?;
            *summary.totals_mut(processor) = Totals {
                requests: row.try_get(1)?,
                amount: CentsTotal::new(amount),
            };
        }
        Ok(summary)
    }

    /// Forgets every payment.
    pub async fn purge(&self) -> Result<(), StoreError> {
        let c = self.pool.get().await?;
        c.client.batch_execute("TRUNCATE payments").await?;
        Ok(())
    }

    /// True when it is this caller's turn to ask `processor` for its health.
    pub async fn health_turn(
        &self,
        processor: Processor,
        window: Duration,
    ) -> Result<bool, StoreError> {
        let c = self.pool.get().await?;
        let params: [&(dyn ToSql + Sync); 2] = [&processor.name(), &millis(window)];
        Ok(c.client.execute(&c.statements.health_turn, &params).await? == 1)
    }

    /// Shares a processor's health answer with every instance.
    pub async fn health_record(
        &self,
        processor: Processor,
        failing: bool,
        min_response_time: Duration,
    ) -> Result<(), StoreError> {
        let c = self.pool.get().await?;
        let params: [&(dyn ToSql + Sync); 3] =
            [&processor.name(), &failing, &millis(min_response_time)];
        c.client
            .execute(&c.statements.health_record, &params)
            .await?;
        Ok(())
    }

    /// The last health answers any instance recorded.
    pub async fn health_read(&self) -> Result<Vec<Health>, StoreError> {
        let c = self.pool.get().await?;
        let rows = c.client.query(&c.statements.health_read, &[]).await?;
        rows.iter()
            .map(|row| {
                let name: &str = row.try_get(0)?;
                let ms = |v: i64| Duration::from_millis(u64::try_from(v).unwrap_or(0));
                Ok(Health {
                    processor: Processor::from_name(name)
                        .ok_or_else(|| StoreError::Unexpected(name.to_owned()))?,
                    failing: row.try_get(1)?,
                    min_response_time: ms(row.try_get::<_, i32>(2)?.into()),
                    age: ms(row.try_get(3)?),
                    answered: row.try_get(4)?,
                })
            })
            .collect()
    }

    /// Says that `owner` is alive for the next `alive`.
    pub async fn heartbeat(&self, owner: Uuid, alive: Duration) -> Result<(), StoreError> {
        let c = self.pool.get().await?;
        let params: [&(dyn ToSql + Sync); 2] = [&owner, &millis(alive)];
        c.client.execute(&c.statements.heartbeat, &params).await?;
        Ok(())
    }

    /// Succeeds when a connection answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let c = self.pool.get().await?;
        c.client.simple_query("").await?;
        Ok(())
    }
}
