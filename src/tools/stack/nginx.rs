//! The stack's NGINX: the repository's configuration with the port and the instances'
//! sockets, the command the floor shares, and the probe that tells a stack is ready.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use nix::sys::signal::Signal;

use super::StackError;
use super::service::{Launch, Service, Spec, mkdir_for};
use crate::edition::Edition;
use crate::tools::launcher::cgroup::{Cgroup, Limits};
use crate::tools::launcher::{Tool, find_tool};

impl Launch<'_> {
    pub(super) fn nginx(
        &self,
        limits: Limits,
        cgroup: Option<Cgroup>,
    ) -> Result<Service, StackError> {
        let prefix = mkdir_for(&self.options.state_dir.join("nginx"), self.user)?;
        let conf = prefix.join("nginx.conf");
        fs::write(&conf, nginx_conf(self.options.port, &self.sockets))
            .map_err(|e| StackError::Io(format!("cannot write {}", conf.display()), e))?;
        let command = nginx_command(&prefix, &conf)?;
        let address = format!("http://0.0.0.0:{}", self.options.port);
        let stop_signal = NGINX_STOP;
        self.spawn(
            command,
            Spec {
                name: "nginx".into(),
                limits,
                cgroup,
                stop_signal,
                address,
            },
        )
    }
}

/// How long a readiness probe waits for its answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// NGINX's graceful shutdown.
pub const NGINX_STOP: Signal = Signal::SIGQUIT;

/// NGINX with its files under `prefix`, its configuration `conf` and its errors on
/// standard error.
pub fn nginx_command(prefix: &Path, conf: &Path) -> Result<Command, StackError> {
    let mut command = Command::new(find_tool(Tool::Nginx)?);
    command
        .arg("-p")
        .arg(prefix)
        .arg("-c")
        .arg(conf)
        .args(["-e", "stderr"]);
    Ok(command)
}

/// Whether whatever listens on `port` answers the edition's cheapest read with a 200 within
/// `PROBE_TIMEOUT`: how a stack, or the floor standing in for one, shows it is ready.
pub async fn answers(port: u16, edition: Edition) -> bool {
    let probe = match edition {
        Edition::Bank => "/clientes/1/extrato",
        Edition::Payments => "/payments-summary",
    };
    reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}{probe}"))
        .timeout(PROBE_TIMEOUT)
        .send()
        .await
        .is_ok_and(|response| response.status() == reqwest::StatusCode::OK)
}

/// The NGINX configuration of this repository with the port and the instances' sockets.
fn nginx_conf(port: u16, sockets: &[PathBuf]) -> String {
    let servers: Vec<String> = sockets
        .iter()
        .map(|s| format!("        server unix:{};", s.display()))
        .collect();
    include_str!("../../../nginx/nginx.conf")
        .replace("@port@", &port.to_string())
        .replace("@servers@", &servers.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nginx_template_is_filled_in_completely() {
        let sockets = [PathBuf::from("/run/a.sock"), PathBuf::from("/run/b.sock")];

        let conf = nginx_conf(9999, &sockets);

        assert!(!conf.contains('@'), "a placeholder is left:\n{conf}");
        assert!(conf.contains("listen 9999 "));
        assert!(
            conf.contains("        server unix:/run/a.sock;\n        server unix:/run/b.sock;\n")
        );
    }
}
