//! The 2025 stack's payment processors: the two named by PAYMENT_PROCESSOR_URL_DEFAULT and
//! PAYMENT_PROCESSOR_URL_FALLBACK, or two `rinha processor`s on ports 8001 and 8002 (fees
//! 0.05 and 0.15, as the contest's processors), started outside the envelope: in the
//! contest they are not ours and do not count against our budget.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use super::services::{Launch, Service, Spec, check_port_free};
use super::{Limits, StackError};

/// The contest's processors, as the published processor compose file sets them.
const PROCESSORS: [(&str, u16, &str); 2] = [
    ("processor-default", 8001, "0.05"),
    ("processor-fallback", 8002, "0.15"),
];
const READY_TIMEOUT: Duration = Duration::from_secs(10);

impl Launch<'_> {
    /// The processors' URLs (default, fallback), and the processes started for them.
    pub(super) fn processors(&self) -> Result<([String; 2], Vec<Service>), StackError> {
        if let Some(urls) = &self.options.processors {
            return Ok((urls.clone(), Vec::new()));
        }
        let exe = std::env::current_exe()
            .map_err(|e| StackError::Io("cannot find this executable".into(), e))?;
        let mut started = Vec::new();
        for (name, port, fee) in PROCESSORS {
            check_port_free(port)?;
            let mut command = Command::new(&exe);
            command
                .args(["processor", "--host", "127.0.0.1", "--port"])
                .arg(port.to_string())
                .args(["--fee", fee]);
            let outside = Limits {
                cpus: 0.0,
                memory_mb: 0,
            };
            let spec = Spec {
                name: name.to_owned(),
                limits: outside,
                cgroup: None,
                stop_signal: libc::SIGTERM,
                address: format!("http://127.0.0.1:{port}"),
            };
            started.push(self.spawn(command, spec)?);
        }
        for (_, port, _) in PROCESSORS {
            wait_for_port(port)?;
        }
        let url = |n: usize| format!("http://127.0.0.1:{}", PROCESSORS[n].1);
        Ok(([url(0), url(1)], started))
    }
}

fn wait_for_port(port: u16) -> Result<(), StackError> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + READY_TIMEOUT;
    while TcpStream::connect(address).is_err() {
        if Instant::now() >= deadline {
            return Err(StackError::NotReady(READY_TIMEOUT));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}
