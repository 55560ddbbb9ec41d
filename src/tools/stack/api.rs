//! The stack's API instances: `rinha serve` on Unix sockets, one worker each, with their
//! metrics beside them.

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use nix::sys::signal::Signal;

use super::StackError;
use super::options::{Accept, Balancer};
use super::service::{Launch, Process, READY_TIMEOUT, Service, Spec};
use crate::deadline;
use crate::edition::Edition;
use crate::payments::domain::Processor;
use crate::tools::launcher::cgroup::{Cgroup, Limits};
use crate::tools::launcher::process::log_tail;

pub(super) fn api_sockets(run: &Path, instances: u8) -> Vec<PathBuf> {
    (1..=instances)
        .map(|n| run.join(format!("api{n}.sock")))
        .collect()
}

impl Launch<'_> {
    pub(super) fn api(
        &self,
        n: u8,
        socket: &Path,
        limits: Limits,
        cgroup: Option<Cgroup>,
        database_url: &str,
    ) -> Result<Service, StackError> {
        let exe = std::env::current_exe()
            .map_err(|e| StackError::Io("cannot find this executable".into(), e))?;
        let address = format!("unix:{}", socket.display());
        // Its metrics beside its API: apiN-metrics.sock next to apiN.sock.
        let metrics = socket.with_file_name(format!("api{n}-metrics.sock"));
        let mut command = Command::new(exe);
        command
            .args(["serve", "--edition", self.options.edition.name()])
            .args(["--workers", "1", "--pool-size"])
            .arg(self.options.pool_size.to_string())
            .arg("--pool-sharing")
            .arg(self.options.pool_sharing.name())
            .args(["--listen", &address]);
        if self.options.balancer == Balancer::Handoff {
            command.arg("--handoff").arg(inbox_of(socket));
        }
        if self.options.edition == Edition::Payments && self.options.accept == Accept::Journal {
            command.arg("--journal").arg(journal_of(socket));
        }
        command
            .arg("--metrics-listen")
            .arg(format!("unix:{}", metrics.display()))
            .env("DATABASE_URL", database_url);
        if let Some([default, fallback]) = &self.processors {
            let fee = |p| self.options.fees.of(p).to_string();
            command
                .env("PAYMENT_PROCESSOR_URL_DEFAULT", default)
                .env("PAYMENT_PROCESSOR_URL_FALLBACK", fallback)
                .env("PAYMENT_PROCESSOR_FEE_DEFAULT", fee(Processor::Default))
                .env("PAYMENT_PROCESSOR_FEE_FALLBACK", fee(Processor::Fallback));
        }
        let name = format!("api{n}");
        let stop_signal = Signal::SIGTERM;
        let service = self.spawn(
            command,
            Spec {
                name,
                limits,
                cgroup,
                stop_signal,
                address,
            },
        )?;
        Ok(Service {
            metrics: Some(metrics),
            ..service
        })
    }
}

/// Where the instances whose APIs are beside `socket` journal their payments: the
/// directory `journal` beside them all.
fn journal_of(socket: &Path) -> PathBuf {
    socket.with_file_name("journal")
}

/// Where an instance whose API is at `socket` is handed connections: apiN.inbox beside it.
pub(super) fn inbox_of(socket: &Path) -> PathBuf {
    socket.with_extension("inbox")
}

pub(super) fn wait_for_socket(service: &mut Service, socket: &Path) -> Result<(), StackError> {
    deadline::poll(READY_TIMEOUT, Duration::from_millis(20), || {
        if UnixStream::connect(socket).is_ok() {
            return Some(Ok(()));
        }
        if let Process::Child { child, .. } = &mut service.process
            && let Ok(Some(status)) = child.try_wait()
        {
            let log = log_tail(&service.log);
            return Some(Err(StackError::Died {
                name: service.name.clone(),
                status,
                log,
            }));
        }
        None
    })
    .unwrap_or(Err(StackError::NotReady(READY_TIMEOUT)))
}
