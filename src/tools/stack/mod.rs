//! `rinha stack`: the contest topology on one machine, inside its envelope. PostgreSQL, then
//! the API instances on Unix sockets, then NGINX on the port, each in its own cgroup. The
//! stack stays in the foreground; SIGINT or SIGTERM stops it. An API instance or NGINX that
//! dies is reported at once and started again in its cgroup (NGINX routes around a dead
//! instance meanwhile), and so is PostgreSQL in the durable profile (the instances
//! reconnect by themselves); one that keeps dying, or PostgreSQL dying in the contest
//! profile (a crash empties its unlogged tables), stops the whole stack with a failure.
//!
//! `topology` starts the services in order and watches them; each kind of service is
//! launched by a file of its own (`postgres`, `api`, `nginx`, `processors`), every process
//! through `launcher::process`.

mod api;
mod balancer;
mod envelope;
mod nginx;
mod options;
mod postgres;
pub mod processors;
mod service;
mod topology;

use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

pub use envelope::{Api, Envelope};
pub use nginx::{NGINX_STOP, answers, nginx_command};
pub use options::{Accept, Balancer, Options};
pub use service::Service;
pub use topology::Stack;

use crate::tools::launcher::cgroup::{Cgroup, Limits, Throttling};
use crate::tools::launcher::postgres::ClusterError;
use crate::tools::launcher::{MissingTool, NoUnprivilegedUser};

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error(transparent)]
    Missing(#[from] MissingTool),
    #[error(transparent)]
    NoUser(#[from] NoUnprivilegedUser),
    #[error(transparent)]
    Postgres(#[from] ClusterError),
    #[error("{0}")]
    Io(String, #[source] std::io::Error),
    #[error("port {0} is in use: stop what holds it or pass --port")]
    PortInUse(u16, #[source] std::io::Error),
    #[error("{} holds files that are not a rinha stack's: remove it or pass --state-dir", .0.display())]
    ForeignStateDir(PathBuf),
    #[error("the stack was not ready within {0:?}")]
    NotReady(Duration),
    #[error("{name} died ({status}); the end of its log:\n{log}")]
    Died {
        name: String,
        status: ExitStatus,
        log: String,
    },
    #[error("{0} cannot be restarted")]
    NotRestartable(String),
}

/// Runs a stack in the foreground until a signal or a service's death.
pub fn run(options: Options) -> Result<(), StackError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StackError::Io("cannot start the runtime".into(), e))?;
    runtime.block_on(async {
        let mut stack = Stack::start(&options).await?;
        println!("{}", table(&stack));
        println!(
            "ready on http://localhost:{}; Ctrl-C stops the stack",
            stack.port
        );
        let outcome = watch(&mut stack).await;
        stack.stop();
        outcome
    })
}

/// Waits for SIGINT or SIGTERM (Ok), restarting an instance or NGINX that dies; stops
/// with an error when PostgreSQL dies or a service keeps dying.
pub async fn watch(stack: &mut Stack) -> Result<(), StackError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())
        .map_err(|e| StackError::Io("cannot catch SIGTERM".into(), e))?;
    let mut int = signal(SignalKind::interrupt())
        .map_err(|e| StackError::Io("cannot catch SIGINT".into(), e))?;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = term.recv() => { tracing::info!("SIGTERM: stopping the stack"); return Ok(()) }
            _ = int.recv() => { tracing::info!("SIGINT: stopping the stack"); return Ok(()) }
            _ = tick.tick() => {
                if let Some((index, status, log)) = stack.dead_service() {
                    revive(stack, index, status, log)?;
                }
                if let Some(died) = stack.dead_processor() {
                    return Err(died);
                }
            }
        }
    }
}

/// How many times a service may die before the stack gives up on it.
const MAX_RESTARTS: u32 = 5;

/// Starts a dead service again, or says why the stack must stop.
pub fn revive(
    stack: &mut Stack,
    index: usize,
    status: ExitStatus,
    log: String,
) -> Result<(), StackError> {
    let service = &stack.services[index];
    let name = service.name.clone();
    if service.restarts >= MAX_RESTARTS {
        tracing::error!(service = name, %status, restarts = service.restarts, "a service keeps dying: stopping the stack");
        return Err(StackError::Died { name, status, log });
    }
    match stack.restart(index) {
        Ok(()) => {
            let service = &stack.services[index];
            tracing::error!(service = name, %status, pid = service.pid, restarts = service.restarts, "a service died: restarted it");
            Ok(())
        }
        Err(StackError::NotRestartable(_)) => {
            tracing::error!(service = name, %status, "a service died: stopping the stack");
            Err(StackError::Died { name, status, log })
        }
        Err(e) => Err(e),
    }
}

/// One line per service: name, pid, envelope, address; then how the envelope is enforced.
pub fn table(stack: &Stack) -> String {
    let mut out = format!(
        "{:<9} {:>8} {:>6} {:>8}  {}\n",
        "service", "pid", "cpus", "memory", "address"
    );
    for s in &stack.services {
        out += &format!(
            "{:<9} {:>8} {:>6.2} {:>5} MB  {}\n",
            s.name, s.pid, s.limits.cpus, s.limits.memory_mb, s.address
        );
    }
    let total = stack.services.iter().fold(
        Limits {
            cpus: 0.0,
            memory_mb: 0,
        },
        |sum, s| Limits {
            cpus: sum.cpus + s.limits.cpus,
            memory_mb: sum.memory_mb + s.limits.memory_mb,
        },
    );
    out += &format!(
        "{:<9} {:>8} {:>6.2} {:>5} MB\n",
        "total", "", total.cpus, total.memory_mb
    );
    out += &format!("envelope {}", stack.enforcement);
    for p in &stack.processors {
        out += &format!(
            "\n{:<18} {:>8}  outside the envelope, as in the contest  {}",
            p.name, p.pid, p.address
        );
    }
    if let (None, Some([default, fallback])) = (stack.processors.first(), &stack.processor_urls) {
        out += &format!("\nprocessors (not started here): default {default}, fallback {fallback}");
    }
    if let Some(account) = stack.account() {
        out += &format!("\nservices run as {account} (the launcher runs as root)");
    }
    out
}

/// What a service's cgroup has counted so far; `None` where it counts nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sample {
    pub cpu_seconds: Option<f64>,
    pub memory: Option<u64>,
    pub peak_memory: Option<u64>,
    pub oom_kills: Option<u64>,
    pub throttling: Option<Throttling>,
}

impl Sample {
    pub fn of(cgroup: Option<&Cgroup>) -> Self {
        cgroup.map_or_else(Self::default, |c| Self {
            cpu_seconds: c.cpu_seconds().ok(),
            memory: c.current_memory().ok(),
            peak_memory: c.peak_memory().ok(),
            oom_kills: c.oom_kills().ok(),
            throttling: c.throttling().ok(),
        })
    }
}
