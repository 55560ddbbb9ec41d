//! One service of the stack: a process started confined, with its log and its group, how
//! to start it again and how to stop it; and what every launch shares (the time a stack
//! has to be ready, a port checked free, a directory the services' account may write to).

use std::ffi::OsString;
use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use nix::sys::signal::Signal;

use super::StackError;
use super::options::Options;
use crate::tools::launcher::Unprivileged;
use crate::tools::launcher::cgroup::{Cgroup, Limits};
use crate::tools::launcher::postgres::Cluster;
use crate::tools::launcher::process::{self, stop};

const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// The contest's limit for a stack to be ready.
pub(super) const READY_TIMEOUT: Duration = Duration::from_secs(40);

/// What runs a service: PostgreSQL's cluster, or a child process with what starts it again.
pub(super) enum Process {
    Postgres(Cluster),
    Child {
        child: Child,
        stop_signal: Signal,
        recipe: Recipe,
    },
}

/// How to start a service's process again: its program, arguments and environment.
pub(super) struct Recipe {
    program: OsString,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
}

impl Recipe {
    fn of(command: &Command) -> Self {
        Self {
            program: command.get_program().to_owned(),
            args: command.get_args().map(ToOwned::to_owned).collect(),
            envs: command
                .get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
                .collect(),
        }
    }

    pub(super) fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .envs(self.envs.iter().map(|(k, v)| (k, v)));
        command
    }
}

/// One running service.
pub struct Service {
    pub name: String,
    pub pid: u32,
    pub limits: Limits,
    pub address: String,
    /// An API instance's metrics socket, serving `GET /metrics` over HTTP/1.1; `None` for
    /// the other services.
    pub metrics: Option<PathBuf>,
    pub log: PathBuf,
    pub(super) process: Process,
    /// Declared after `process`: a group can only be removed once its processes are gone.
    pub cgroup: Option<Cgroup>,
    /// How many times the stack has started it again after it died.
    pub restarts: u32,
}

impl Service {
    pub(super) fn stop(self) {
        let Service {
            process, cgroup, ..
        } = self;
        match process {
            Process::Postgres(cluster) => drop(cluster),
            Process::Child {
                mut child,
                stop_signal,
                ..
            } => stop(&mut child, stop_signal, STOP_TIMEOUT),
        }
        drop(cgroup);
    }
}

/// What every service but PostgreSQL is started with.
pub(super) struct Launch<'a> {
    pub(super) options: &'a Options,
    pub(super) user: Option<&'a Unprivileged>,
    /// The API instances' sockets, in instance order.
    pub(super) sockets: Vec<PathBuf>,
    /// 2025: the processors' URLs (default, fallback) the instances pay through.
    pub(super) processors: Option<[String; 2]>,
}

/// A service about to start: its name, envelope and group, how to stop it, where it listens.
pub(super) struct Spec {
    pub(super) name: String,
    pub(super) limits: Limits,
    pub(super) cgroup: Option<Cgroup>,
    pub(super) stop_signal: Signal,
    pub(super) address: String,
}

impl Launch<'_> {
    /// Starts `command` confined, with its output in `logs/<name>.log`.
    pub(super) fn spawn(&self, command: Command, spec: Spec) -> Result<Service, StackError> {
        let Spec {
            name,
            limits,
            cgroup,
            stop_signal,
            address,
        } = spec;
        let log = self
            .options
            .state_dir
            .join("logs")
            .join(format!("{name}.log"));
        let recipe = Recipe::of(&command);
        let child = process::spawn(command, &log, cgroup.as_ref(), self.user, stop_signal)
            .map_err(|e| StackError::Io(format!("cannot start {name}"), e))?;
        Ok(Service {
            pid: child.id(),
            name,
            limits,
            address,
            metrics: None,
            log,
            process: Process::Child {
                child,
                stop_signal,
                recipe,
            },
            cgroup,
            restarts: 0,
        })
    }
}

/// An error when something already listens on `port`.
pub(super) fn check_port_free(port: u16) -> Result<(), StackError> {
    TcpListener::bind((Ipv4Addr::UNSPECIFIED, port))
        .map(drop)
        .map_err(|e| StackError::PortInUse(port, e))
}

/// Creates a directory the services' account may write to.
pub(super) fn mkdir_for(dir: &Path, user: Option<&Unprivileged>) -> Result<PathBuf, StackError> {
    fs::create_dir_all(dir)
        .map_err(|e| StackError::Io(format!("cannot create {}", dir.display()), e))?;
    if let Some(user) = user {
        user.own(dir).map_err(|e| {
            StackError::Io(format!("cannot give {} to {}", dir.display(), user.name), e)
        })?;
    }
    Ok(dir.to_owned())
}
