//! Client connections handed over whole: a balancer (`rinha balance`) accepts each TCP
//! connection and passes its descriptor, over a Unix datagram socket (an instance's inbox),
//! to one of the instances, which then serves that connection itself until it closes. The
//! balancer never sees a request: a request crosses no process between the client and the
//! instance, where a proxy (NGINX) reads it, writes it to the instance, and does the same
//! with its answer.
//!
//! One datagram per connection: a byte, and the descriptor as `SCM_RIGHTS`.

use std::io::{self, IoSlice, IoSliceMut};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use nix::sys::socket::{ControlMessage, ControlMessageOwned, MsgFlags, UnixAddr, recvmsg, sendmsg};
use ntex::SharedCfg;
use ntex::io::Io;
use ntex::service::{Pipeline, PipelineSvc, Service, ServiceFactory, fn_factory_with_config};
use tokio::io::Interest;

use super::listener::bind_for_anyone;

/// Where an instance is handed its connections: bound once, read by every worker.
#[derive(Debug, Clone)]
pub struct Inbox {
    socket: Arc<UnixDatagram>,
    path: PathBuf,
}

impl Inbox {
    /// Binds the inbox at `path`, as the API's own Unix socket is bound
    /// (`bind_for_anyone`).
    pub fn bind(path: &Path) -> io::Result<Self> {
        let socket = bind_for_anyone(path, |p| UnixDatagram::bind(p))?;
        socket.set_nonblocking(true)?;
        Ok(Self {
            socket: Arc::new(socket),
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Passes `connection` to the instance whose inbox is at `inbox`, without waiting: an
/// instance that is gone (`ECONNREFUSED`, `ENOENT`) or whose inbox is full (`EAGAIN`) is
/// an error at once, so that the balancer can try another.
pub fn hand_over(
    sender: &UnixDatagram,
    inbox: &UnixAddr,
    connection: &TcpStream,
) -> io::Result<()> {
    let fds = [connection.as_raw_fd()];
    sendmsg(
        sender.as_raw_fd(),
        &[IoSlice::new(&[0])],
        &[ControlMessage::ScmRights(&fds)],
        MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL,
        Some(inbox),
    )?;
    Ok(())
}

/// The connections of one datagram, as TCP streams owned by this process.
fn take_over(socket: RawFd) -> io::Result<Vec<TcpStream>> {
    let mut byte = [0u8; 1];
    let mut data = [IoSliceMut::new(&mut byte)];
    let mut control = nix::cmsg_space!([RawFd; 4]);
    let message = recvmsg::<()>(
        socket,
        &mut data,
        Some(&mut control),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )?;
    let mut streams = Vec::new();
    for cmsg in message.cmsgs()? {
        if let ControlMessageOwned::ScmRights(fds) = cmsg {
            // SAFETY: each descriptor was just received, so this process owns it and
            // nothing else here refers to it.
            streams.extend(
                fds.into_iter()
                    .map(|fd| unsafe { TcpStream::from_raw_fd(fd) }),
            );
        }
    }
    Ok(streams)
}

/// The HTTP service `factory` makes, which also serves whatever connections `inbox` is
/// handed, on the same worker, with the same service, as if it had accepted them itself.
pub fn with_inbox<F>(
    factory: F,
    inbox: Option<Inbox>,
) -> impl ServiceFactory<
    Io,
    SharedCfg,
    Response = F::Response,
    Error = F::Error,
    InitError = F::InitError,
    Service = PipelineSvc<F::Service>,
>
where
    F: ServiceFactory<Io, SharedCfg>,
    F::Service: 'static,
{
    fn_factory_with_config(async move |cfg: SharedCfg| {
        let service = Pipeline::new(factory.create(cfg.clone()).await?);
        if let Some(inbox) = &inbox {
            match inbox.socket.try_clone() {
                Ok(socket) => {
                    ntex::rt::spawn(receive(socket, inbox.path.clone(), service.clone(), cfg));
                }
                Err(e) => {
                    tracing::error!(inbox = %inbox.path.display(), error = %e, "cannot read the inbox")
                }
            }
        }
        Ok(PipelineSvc::new(service))
    })
}

/// Serves every connection handed to `socket` with `service`, each on a task of its own,
/// until the worker stops.
async fn receive<S>(socket: UnixDatagram, path: PathBuf, service: Pipeline<S>, cfg: SharedCfg)
where
    S: Service<Io> + 'static,
{
    let socket = match tokio::net::UnixDatagram::from_std(socket) {
        Ok(socket) => socket,
        Err(e) => {
            tracing::error!(inbox = %path.display(), error = %e, "cannot read the inbox");
            return;
        }
    };
    tracing::info!(inbox = %path.display(), "taking connections handed over");
    loop {
        let taken = match socket.readable().await {
            Ok(()) => socket.try_io(Interest::READABLE, || take_over(socket.as_raw_fd())),
            Err(e) => Err(e),
        };
        let streams = match taken {
            Ok(streams) => streams,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => {
                tracing::warn!(inbox = %path.display(), error = %e, "a connection handed over was lost");
                continue;
            }
        };
        for stream in streams {
            match ntex::rt::from_tcp_stream(stream, cfg.clone()) {
                Ok(io) => {
                    let service = service.clone();
                    ntex::rt::spawn(async move {
                        let _ = service.call(io).await;
                    });
                }
                Err(e) => tracing::warn!(error = %e, "cannot serve a connection handed over"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    fn address(path: &Path) -> UnixAddr {
        UnixAddr::new(path).unwrap()
    }

    /// A client connected to a listener of this process, and the connection as accepted.
    fn connection() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        (client, accepted)
    }

    #[test]
    fn a_connection_handed_over_is_the_clients_own_on_the_other_side() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = Inbox::bind(&dir.path().join("api.inbox")).unwrap();
        let (mut client, accepted) = connection();
        let sender = UnixDatagram::unbound().unwrap();
        hand_over(&sender, &address(inbox.path()), &accepted).unwrap();
        drop(accepted);

        let mut taken = take_over(inbox.socket.as_raw_fd()).unwrap();
        assert_eq!(taken.len(), 1);
        let mut taken = taken.pop().unwrap();
        let mut buf = [0; 4];
        client.write_all(b"ping").unwrap();
        taken.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
        taken.write_all(b"pong").unwrap();
        client.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"pong");
        drop(taken);
        assert_eq!(
            client.read(&mut buf).unwrap(),
            0,
            "closed by its last holder"
        );
    }

    #[test]
    fn an_instance_that_is_gone_refuses_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let (_client, accepted) = connection();
        let sender = UnixDatagram::unbound().unwrap();
        let never = dir.path().join("never.inbox");
        let error = hand_over(&sender, &address(&never), &accepted).unwrap_err();
        assert_eq!(error.raw_os_error(), Some(libc::ENOENT), "{error}");

        let gone = dir.path().join("gone.inbox");
        drop(Inbox::bind(&gone).unwrap());
        let error = hand_over(&sender, &address(&gone), &accepted).unwrap_err();
        assert_eq!(error.raw_os_error(), Some(libc::ECONNREFUSED), "{error}");
    }

    #[test]
    fn a_full_inbox_refuses_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = Inbox::bind(&dir.path().join("busy.inbox")).unwrap();
        let (_client, accepted) = connection();
        let sender = UnixDatagram::unbound().unwrap();
        let to = address(inbox.path());
        let error = std::iter::repeat_with(|| hand_over(&sender, &to, &accepted))
            .take(100_000)
            .find_map(Result::err)
            .expect("an inbox nobody reads fills up");
        assert_eq!(error.kind(), io::ErrorKind::WouldBlock, "{error}");
    }
}
