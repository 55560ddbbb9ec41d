//! The paying thread: each worker's dispatcher and its PostgreSQL connections run on a
//! thread of their own, beside the worker's HTTP thread, which only reads requests, writes
//! the journal and answers. On one thread, a request that arrived while the dispatcher's
//! tasks were running (an accept's round trip coming back, a send to a processor, a settle
//! batch) waited for them before it was even read; on two, the HTTP thread wakes for it
//! alone, and the kernel runs it before the thread that pays.
//!
//! The HTTP thread wakes the paying thread to hand payments over. Woken from inside the
//! handler at the same priority, the paying thread, which sleeps more, took the core at
//! once, before the HTTP thread had written its answer: the instances' own p99 doubled
//! (docs/performance.md, the tenth sitting). So the paying thread runs at a lower priority
//! ([`PAYING_NICE`]): within the instance's cgroup the HTTP thread comes first, and the
//! paying thread has the rest of the quota and every idle moment. And the payments of one
//! turn of the HTTP thread's event loop are handed over together, once their answers are
//! written ([`PayingThread::keep`]).
//!
//! What the HTTP thread asks of the paying thread goes over a channel, as a closure run
//! there: a journaled payment to keep, a payment to accept, a summary, a purge, a ping. The
//! paying thread lives as long as its worker's handle: it ends when the worker drops it.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use super::{Dispatcher, PaymentMetrics, Settings};
use crate::db::StoreError;
use crate::payments::domain::{NewPayment, Summary, Window};
use crate::payments::journal::Entry;
use crate::payments::store::{Accepted, Store};

/// How much nicer the paying thread is than the HTTP thread: its weight is a tenth.
pub const PAYING_NICE: i32 = 10;

/// What the HTTP thread has the paying thread do.
type Command = Box<dyn FnOnce(&Rc<Dispatcher>) + Send>;

/// The paying thread stopped (it panicked): nothing asked of it now is done.
#[derive(Debug, thiserror::Error)]
#[error("the worker's paying thread stopped")]
pub struct Stopped;

/// A worker's handle on its paying thread.
pub struct PayingThread {
    commands: mpsc::UnboundedSender<Command>,
    /// Journaled payments answered in this turn of the HTTP thread's event loop, handed
    /// over together once their answers are written.
    outbox: Rc<RefCell<Vec<(NewPayment, Entry)>>>,
}

impl PayingThread {
    /// Starts the thread, which opens `store`'s connections and runs a dispatcher over
    /// them; returns once they are open (or could not be, which leaves them to the first
    /// statements).
    pub async fn start(
        store: Store,
        settings: Settings,
        metrics: PaymentMetrics,
    ) -> std::io::Result<Self> {
        let (commands, mut received) = mpsc::unbounded_channel::<Command>();
        let (ready, started) = oneshot::channel();
        std::thread::Builder::new()
            .name("rinha-paying".to_owned())
            .spawn(move || {
                lower_priority();
                crate::server::block_on("rinha-paying", async move {
                    crate::server::open_connections(store.open()).await;
                    let dispatcher = Dispatcher::new(store, &settings, metrics);
                    ntex::rt::spawn(Rc::clone(&dispatcher).run());
                    let _ = ready.send(());
                    while let Some(command) = received.recv().await {
                        command(&dispatcher);
                    }
                    tracing::debug!("the worker is gone: the paying thread stops");
                });
            })?;
        // A thread that panicked before it was ready fails the asks that follow.
        let _ = started.await;
        Ok(Self {
            commands,
            outbox: Rc::default(),
        })
    }

    /// Has a payment written to the journal and answered accepted into PostgreSQL
    /// ([`Dispatcher::keep`]), with the others of this turn of the event loop, after their
    /// answers are written: waking the paying thread is a system call, and the woken thread
    /// may take the core. Should the paying thread be gone, the entries stay in the journal
    /// for another instance to replay.
    pub fn keep(&self, payment: NewPayment, entry: Entry) {
        let mut outbox = self.outbox.borrow_mut();
        outbox.push((payment, entry));
        if outbox.len() > 1 {
            return;
        }
        let (outbox, commands) = (Rc::clone(&self.outbox), self.commands.clone());
        ntex::rt::spawn(async move {
            // Back after the tasks ready now (the answers' writes among them) have run.
            tokio::task::yield_now().await;
            let kept = std::mem::take(&mut *outbox.borrow_mut());
            let _ = commands.send(Box::new(move |d| {
                for (payment, entry) in kept {
                    d.keep(payment, entry);
                }
            }));
        });
    }

    /// Accepts a payment as [`Dispatcher::accept`] does.
    pub async fn accept(
        &self,
        payment: NewPayment,
        arrival: Instant,
    ) -> Result<Result<Accepted, StoreError>, Stopped> {
        self.ask(move |d| async move { d.accept(payment, arrival).await })
            .await
    }

    /// The processors' totals over `window`, as PostgreSQL has them.
    pub async fn summary(&self, window: Window) -> Result<Result<Summary, StoreError>, Stopped> {
        self.ask(move |d| async move { d.store.summary(window).await })
            .await
    }

    /// Forgets every payment PostgreSQL has.
    pub async fn purge(&self) -> Result<Result<(), StoreError>, Stopped> {
        self.ask(|d| async move { d.store.purge().await }).await
    }

    /// Whether the worker's connections reach PostgreSQL.
    pub async fn ping(&self) -> Result<Result<(), StoreError>, Stopped> {
        self.ask(|d| async move { d.store.ping().await }).await
    }

    /// Runs `task` on the paying thread, with its dispatcher, and waits for its answer.
    async fn ask<T, F>(
        &self,
        task: impl FnOnce(Rc<Dispatcher>) -> F + Send + 'static,
    ) -> Result<T, Stopped>
    where
        F: Future<Output = T> + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let command: Command = Box::new(move |d| {
            let future = task(Rc::clone(d));
            ntex::rt::spawn(async move {
                let _ = answer.send(future.await);
            });
        });
        self.commands.send(command).map_err(|_| Stopped)?;
        answered.await.map_err(|_| Stopped)
    }
}

/// Adds [`PAYING_NICE`] to the calling thread's nice value. Linux reads and sets a
/// thread's own nice value, not its process's, with `PRIO_PROCESS` and 0; no privilege is
/// needed to raise it.
fn lower_priority() {
    // SAFETY: getpriority and setpriority read and write no memory of ours.
    let lowered = unsafe {
        let nice = libc::getpriority(libc::PRIO_PROCESS, 0);
        libc::setpriority(libc::PRIO_PROCESS, 0, (nice + PAYING_NICE).min(19))
    };
    if lowered != 0 {
        tracing::warn!(error = %std::io::Error::last_os_error(), "cannot lower the paying thread's priority");
    }
}
