//! `rinha balance`: a load balancer that reads no request. It accepts each client's TCP
//! connection and hands it whole to the next instance in turn ([`super::handoff`]), which
//! serves it until it closes; an instance that cannot take it (gone, or its inbox full) is
//! passed over for the next. So a request costs no process but the instance's, and the
//! balancer works once per connection, not once per request.

use std::io;
use std::net::SocketAddr;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;

use nix::sys::socket::UnixAddr;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

use super::handoff::hand_over;

/// Where the balancer listens, and the instances' inboxes it hands connections to, in turn.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub inboxes: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum BalancerError {
    #[error("cannot listen on {0}")]
    Listen(SocketAddr, #[source] io::Error),
    #[error("cannot open a socket to the instances")]
    Sender(#[source] io::Error),
    #[error("{} cannot be an instance's inbox", .0.display())]
    Inbox(PathBuf, #[source] nix::Error),
    #[error("cannot install the signal handlers")]
    Signals(#[source] io::Error),
}

/// Balances until SIGTERM or SIGINT. What it has handed over is the instances' to finish.
pub fn run(settings: Settings) -> Result<(), BalancerError> {
    super::block_on("balance", balance(settings))
}

async fn balance(settings: Settings) -> Result<(), BalancerError> {
    let listener = TcpListener::bind(settings.listen)
        .await
        .map_err(|e| BalancerError::Listen(settings.listen, e))?;
    let address = listener
        .local_addr()
        .map_err(|e| BalancerError::Listen(settings.listen, e))?;
    let sender = UnixDatagram::unbound().map_err(BalancerError::Sender)?;
    let inboxes = settings
        .inboxes
        .iter()
        .map(|path| UnixAddr::new(path).map_err(|e| BalancerError::Inbox(path.clone(), e)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut term = signal(SignalKind::terminate()).map_err(BalancerError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(BalancerError::Signals)?;
    let instances = settings.inboxes.len();
    tracing::info!(%address, instances, "listening");
    let mut next = 0;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = term.recv() => break,
            _ = int.recv() => break,
        };
        let connection = match accepted.and_then(|(stream, _)| stream.into_std()) {
            Ok(connection) => connection,
            Err(e) => {
                tracing::warn!(error = %e, "cannot accept a connection");
                continue;
            }
        };
        if let Err(e) = connection.set_nodelay(true) {
            tracing::warn!(error = %e, "cannot set TCP_NODELAY");
        }
        let taker = (0..instances).map(|k| (next + k) % instances).find(|&i| {
            match hand_over(&sender, &inboxes[i], &connection) {
                Ok(()) => true,
                Err(e) => {
                    let inbox = settings.inboxes[i].display();
                    tracing::warn!(%inbox, error = %e, "an instance cannot take a connection");
                    false
                }
            }
        });
        match taker {
            Some(i) => next = (i + 1) % instances,
            None => tracing::error!("no instance took the connection; it is closed"),
        }
    }
    tracing::info!("stopped");
    Ok(())
}
