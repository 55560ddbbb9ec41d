//! The stack's `rinha balance`, in NGINX's place: it hands each client connection to an
//! instance's inbox.

use std::process::Command;

use nix::sys::signal::Signal;

use super::StackError;
use super::api::inbox_of;
use super::service::{Launch, Service, Spec};
use crate::tools::launcher::cgroup::{Cgroup, Limits};

impl Launch<'_> {
    pub(super) fn balancer(
        &self,
        limits: Limits,
        cgroup: Option<Cgroup>,
    ) -> Result<Service, StackError> {
        let exe = std::env::current_exe()
            .map_err(|e| StackError::Io("cannot find this executable".into(), e))?;
        let address = format!("0.0.0.0:{}", self.options.port);
        let mut command = Command::new(exe);
        command.args(["balance", "--listen", &address]);
        for socket in &self.sockets {
            command.arg("--to").arg(inbox_of(socket));
        }
        self.spawn(
            command,
            Spec {
                name: "balancer".into(),
                limits,
                cgroup,
                stop_signal: Signal::SIGTERM,
                address: format!("http://{address}"),
            },
        )
    }
}
