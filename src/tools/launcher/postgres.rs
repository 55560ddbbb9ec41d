//! A PostgreSQL cluster of our own: `initdb` into a directory, `postgres` on a Unix socket
//! in that directory (no TCP), the schema from `sql/` loaded per database. The tests start a
//! throw-away one; the stack starts a tuned one.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use tokio_postgres::NoTls;

use super::cgroup::Cgroup;
use super::process::{self, confine, log_tail};
use super::{MissingTool, NoUnprivilegedUser, Tool, Unprivileged, find_tool};
use crate::db::Profile;
use crate::deadline;
use crate::edition::Edition;

/// The database role that owns everything; clients connect as it (trust auth on a socket
/// only the local machine can reach).
pub const ROLE: &str = "rinha";
/// The port only names the socket file, `.s.PGSQL.5432`: the cluster listens on no TCP port.
const PORT: u16 = 5432;
const READY_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(transparent)]
    Missing(#[from] MissingTool),
    #[error(transparent)]
    NoUser(#[from] NoUnprivilegedUser),
    #[error("{0}")]
    Io(String, #[source] std::io::Error),
    #[error("initdb failed ({status}): {output}")]
    Initdb {
        status: std::process::ExitStatus,
        output: String,
    },
    #[error("PostgreSQL did not become ready; its log {log}:\n{tail}")]
    NotReady { log: PathBuf, tail: String },
    #[error("{context}")]
    Sql {
        context: String,
        #[source]
        source: tokio_postgres::Error,
    },
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> ClusterError {
    let context = context.into();
    move |e| ClusterError::Io(context, e)
}

fn sql(context: impl Into<String>) -> impl FnOnce(tokio_postgres::Error) -> ClusterError {
    let context = context.into();
    move |source| ClusterError::Sql { context, source }
}

/// A running cluster. Dropping it stops PostgreSQL (fast shutdown) and waits for it.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    args: Vec<OsString>,
    user: Option<Unprivileged>,
    socket_dir: PathBuf,
    log: PathBuf,
    postmaster: Child,
}

impl Cluster {
    /// Creates a cluster under `dir` (`data/`, `run/` for the socket, `postgres.log`) and
    /// starts it with `settings` given as `-c name=value`, in `cgroup` if any. As root,
    /// PostgreSQL runs as an unprivileged account (see [`Unprivileged`]).
    pub async fn start(
        dir: &Path,
        settings: &[(&str, &str)],
        cgroup: Option<&Cgroup>,
    ) -> Result<Self, ClusterError> {
        let user = Unprivileged::when_root()?;
        let (data, socket_dir, log) = (dir.join("data"), dir.join("run"), dir.join("postgres.log"));
        for d in [dir, &data, &socket_dir] {
            fs::create_dir_all(d).map_err(io(format!("cannot create {}", d.display())))?;
        }
        if let Some(user) = &user {
            tracing::info!(
                user = user.name,
                "running PostgreSQL as an unprivileged account"
            );
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).map_err(io(format!(
                "cannot open {} to {}",
                dir.display(),
                user.name
            )))?;
            for d in [&data, &socket_dir] {
                user.own(d)
                    .map_err(io(format!("cannot give {} to {}", d.display(), user.name)))?;
            }
        }
        initdb(&data, user.as_ref())?;

        let mut args: Vec<OsString> = vec![
            "-D".into(),
            data.into(),
            "-k".into(),
            socket_dir.clone().into(),
        ];
        args.extend(["-p", &PORT.to_string(), "-c", "listen_addresses="].map(OsString::from));
        for (name, value) in settings {
            args.extend(["-c".into(), format!("{name}={value}").into()]);
        }
        let mut cluster = Self {
            postmaster: postmaster(dir, &args, &log, cgroup, user.as_ref())?,
            dir: dir.to_owned(),
            args,
            user,
            socket_dir,
            log,
        };
        cluster.wait_ready().await?;
        Ok(cluster)
    }

    /// Stops PostgreSQL, with a fast (clean) shutdown or an immediate one (a crash: the
    /// next start recovers from the log, and empties UNLOGGED tables), then starts it
    /// again on the same data, in `cgroup` if any.
    pub async fn restart(
        &mut self,
        crash: bool,
        cgroup: Option<&Cgroup>,
    ) -> Result<(), ClusterError> {
        let signal = if crash {
            Signal::SIGQUIT
        } else {
            Signal::SIGINT
        };
        let _ = kill(process::pid(&self.postmaster), signal);
        self.postmaster
            .wait()
            .map_err(io("cannot wait for postgres"))?;
        self.respawn(cgroup)?;
        self.wait_ready().await
    }

    /// Starts PostgreSQL again on the same data, in `cgroup` if any, once it has exited
    /// (after a crash it recovers from the log first). Returns without waiting for it to
    /// accept connections: its clients reconnect when it does.
    pub fn respawn(&mut self, cgroup: Option<&Cgroup>) -> Result<(), ClusterError> {
        self.postmaster = postmaster(&self.dir, &self.args, &self.log, cgroup, self.user.as_ref())?;
        Ok(())
    }

    /// The PostgreSQL process id.
    pub fn pid(&self) -> u32 {
        self.postmaster.id()
    }

    /// The exit status of PostgreSQL, if it has exited.
    pub fn try_wait(&mut self) -> std::io::Result<Option<std::process::ExitStatus>> {
        self.postmaster.try_wait()
    }

    /// The server's log file.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// The directory holding the cluster's Unix socket.
    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    /// How to reach database `dbname` of this cluster.
    pub fn config(&self, dbname: &str) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host_path(&self.socket_dir)
            .port(PORT)
            .user(ROLE)
            .dbname(dbname);
        config
    }

    /// The same, as a `DATABASE_URL` for `rinha serve`.
    pub fn url(&self, dbname: &str) -> String {
        format!(
            "host={} port={PORT} user={ROLE} dbname={dbname}",
            self.socket_dir.display()
        )
    }

    /// Creates database `name` and loads `edition`'s schema in `profile`.
    pub async fn create_database(
        &self,
        name: &str,
        edition: Edition,
        profile: Profile,
    ) -> Result<(), ClusterError> {
        let admin = connect(&self.config("postgres")).await?;
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .map_err(sql(format!("cannot create database {name}")))?;
        let db = connect(&self.config(name)).await?;
        for (file, script) in profile.scripts(edition) {
            db.batch_execute(script)
                .await
                .map_err(sql(format!("sql/{file} failed in database {name}")))?;
        }
        Ok(())
    }

    async fn wait_ready(&mut self) -> Result<(), ClusterError> {
        let every = Duration::from_millis(50);
        // Some(false) once it has exited: no use waiting for it then.
        let ready = deadline::poll_async(READY_TIMEOUT, every, async || {
            if matches!(self.postmaster.try_wait(), Ok(Some(_))) {
                return Some(false);
            }
            connect(&self.config("postgres")).await.ok().map(|_| true)
        })
        .await;
        if ready == Some(true) {
            return Ok(());
        }
        Err(ClusterError::NotReady {
            log: self.log.clone(),
            tail: log_tail(&self.log),
        })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // SIGINT is PostgreSQL's fast shutdown: roll back sessions, checkpoint, exit.
        let _ = kill(process::pid(&self.postmaster), Signal::SIGINT);
        let _ = self.postmaster.wait();
    }
}

/// Starts the postmaster with `args`, its output appended to `log`.
fn postmaster(
    dir: &Path,
    args: &[OsString],
    log: &Path,
    cgroup: Option<&Cgroup>,
    user: Option<&Unprivileged>,
) -> Result<Child, ClusterError> {
    let mut command = Command::new(find_tool(Tool::Postgres)?);
    command.args(args).current_dir(dir);
    // SIGINT is PostgreSQL's fast shutdown.
    process::spawn(command, log, cgroup, user, Signal::SIGINT).map_err(io("cannot start postgres"))
}

/// Connects and drives the connection on the current runtime.
pub async fn connect(
    config: &tokio_postgres::Config,
) -> Result<tokio_postgres::Client, ClusterError> {
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(sql("cannot connect to PostgreSQL"))?;
    tokio::spawn(connection);
    Ok(client)
}

fn initdb(data: &Path, user: Option<&Unprivileged>) -> Result<(), ClusterError> {
    let mut command = Command::new(find_tool(Tool::Initdb)?);
    command
        .arg("-D")
        .arg(data)
        .args([
            "-U",
            ROLE,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ])
        .current_dir(data)
        .stdin(Stdio::null());
    confine(&mut command, None, user, Signal::SIGKILL);
    let output = command.output().map_err(io("cannot run initdb"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(ClusterError::Initdb {
            status: output.status,
            output: String::from_utf8_lossy(&[output.stdout, output.stderr].concat()).into_owned(),
        })
    }
}
