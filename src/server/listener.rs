use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Where an instance listens: `127.0.0.1:8080`, or `unix:/run/rinha/api1.sock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listen {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl FromStr for Listen {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.strip_prefix("unix:") {
            Some("") => Err("unix: needs a socket path, as in unix:/run/rinha/api.sock".into()),
            Some(path) => Ok(Self::Unix(path.into())),
            None => s.parse().map(Self::Tcp).map_err(|e| {
                format!("{s:?} is neither an IP:port address ({e}) nor unix:/path/to.sock")
            }),
        }
    }
}

impl fmt::Display for Listen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tcp(addr) => write!(f, "{addr}"),
            Self::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// A bound socket, ready to hand to the HTTP server.
pub enum Bound {
    Tcp(TcpListener),
    Unix(UnixListener, PathBuf),
}

impl Listen {
    /// Binds the socket; a Unix socket as `bind_for_anyone` does.
    pub fn bind(&self) -> io::Result<Bound> {
        match self {
            Self::Tcp(addr) => TcpListener::bind(addr).map(Bound::Tcp),
            Self::Unix(path) => {
                let listener = bind_for_anyone(path, |p| UnixListener::bind(p))?;
                Ok(Bound::Unix(listener, path.clone()))
            }
        }
    }
}

/// Binds a Unix socket at `path` with `bind`, replacing a stale file of the same name, and
/// makes it reachable by any local user: the balancer in front may run as another user.
pub(super) fn bind_for_anyone<T>(
    path: &Path,
    bind: impl FnOnce(&Path) -> io::Result<T>,
) -> io::Result<T> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let socket = bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))?;
    Ok(socket)
}

impl Bound {
    /// The address actually bound (the real port when asked for port 0).
    pub fn address(&self) -> io::Result<Listen> {
        match self {
            Self::Tcp(listener) => listener.local_addr().map(Listen::Tcp),
            Self::Unix(_, path) => Ok(Listen::Unix(path.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ip_and_port_is_a_tcp_address() {
        assert_eq!(
            "127.0.0.1:9999".parse(),
            Ok(Listen::Tcp(SocketAddr::from(([127, 0, 0, 1], 9999))))
        );
    }

    #[test]
    fn a_unix_prefix_names_a_socket_path() {
        assert_eq!(
            "unix:/run/rinha/api1.sock".parse(),
            Ok(Listen::Unix("/run/rinha/api1.sock".into()))
        );
    }

    #[test]
    fn a_host_name_or_an_empty_socket_path_is_refused() {
        assert!("localhost:8080".parse::<Listen>().is_err());
        assert!("unix:".parse::<Listen>().is_err());
    }
}
