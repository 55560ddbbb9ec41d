//! The 2025 stack's payment processors: the two named by PAYMENT_PROCESSOR_URL_DEFAULT and
//! PAYMENT_PROCESSOR_URL_FALLBACK, or two `rinha processor`s on ports 8001 and 8002 that
//! charge the stack's fees (the final's 7 % and 10 %, or the scenario's), started outside
//! the envelope: in the contest they are not ours and do not count against our budget.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::Command;
use std::time::Duration;

use nix::sys::signal::Signal;

use super::StackError;
use super::service::{Launch, Service, Spec, check_port_free};
use crate::deadline;
use crate::payments::domain::Processor;
use crate::tools::launcher::cgroup::Limits;

/// The contest's processors: their names and the ports they answer on from the host.
const PROCESSORS: [(Processor, &str, u16); 2] = [
    (Processor::Default, "processor-default", 8001),
    (Processor::Fallback, "processor-fallback", 8002),
];
const READY_TIMEOUT: Duration = Duration::from_secs(10);

impl Launch<'_> {
    /// The processors' URLs (default, fallback), and the processes started for them.
    pub(super) fn processors(&self) -> Result<([String; 2], Vec<Service>), StackError> {
        if let Some(urls) = &self.options.processors {
            return Ok((urls.clone(), Vec::new()));
        }
        let mut started = Vec::new();
        for (processor, name, port) in PROCESSORS {
            check_port_free(port)?;
            let command = command(port, self.options.fees.of(processor))?;
            let outside = Limits {
                cpus: 0.0,
                memory_mb: 0,
            };
            let spec = Spec {
                name: name.to_owned(),
                limits: outside,
                cgroup: None,
                stop_signal: Signal::SIGTERM,
                address: format!("http://127.0.0.1:{port}"),
            };
            started.push(self.spawn(command, spec)?);
        }
        for (_, _, port) in PROCESSORS {
            wait_for_port(port)?;
        }
        let url = |n: usize| format!("http://127.0.0.1:{}", PROCESSORS[n].2);
        Ok(([url(0), url(1)], started))
    }
}

/// `rinha processor` on `port` of the loopback, charging `fee`.
pub fn command(port: u16, fee: f64) -> Result<Command, StackError> {
    let exe = std::env::current_exe()
        .map_err(|e| StackError::Io("cannot find this executable".into(), e))?;
    let mut command = Command::new(exe);
    command
        .args(["processor", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .args(["--fee", &fee.to_string()]);
    Ok(command)
}

/// Waits until something accepts connections on `port` of the loopback.
pub fn wait_for_port(port: u16) -> Result<(), StackError> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    deadline::poll(READY_TIMEOUT, Duration::from_millis(20), || {
        TcpStream::connect(address).ok().map(drop)
    })
    .ok_or(StackError::NotReady(READY_TIMEOUT))
}
