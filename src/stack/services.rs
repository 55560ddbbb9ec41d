//! Starting, watching and stopping the stack's services, each in its cgroup.

use std::ffi::OsString;
use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::{Envelope, Limits, Sample, StackError};
use crate::db::{Profile, SERVER_CONF, Sharing};
use crate::edition::Edition;
use crate::launcher::cgroup::{Cgroup, Cgroups};
use crate::launcher::postgres::Cluster;
use crate::launcher::process::{confine, log_tail, stop};
use crate::launcher::{Tool, Unprivileged, find_tool, http};
use crate::payments::domain::{Fees, Processor};

/// The contest's limit for a stack to be ready.
const READY_TIMEOUT: Duration = Duration::from_secs(40);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// Marks a directory as a stack's state, which a new stack may wipe.
const MARKER: &str = ".rinha-stack";
const DATABASE: &str = "rinha";

/// How to start a stack.
#[derive(Debug, Clone)]
pub struct Options {
    pub edition: Edition,
    pub port: u16,
    pub profile: Profile,
    pub state_dir: PathBuf,
    /// Enforce the envelope with cgroups (when the machine allows it).
    pub enforce: bool,
    /// PostgreSQL connections per API instance.
    pub pool_size: u16,
    /// How an instance's requests share them.
    pub pool_sharing: Sharing,
    /// Every CPU quota is multiplied by this (1 is the contest's envelope).
    pub cpu_scale: f64,
    /// 2025: the processors to pay through (default, fallback); `None` starts two.
    pub processors: Option<[String; 2]>,
    /// 2025: what the processors charge: the ones the stack starts charge it, and its
    /// instances route with it.
    pub fees: Fees,
}

enum Process {
    Postgres(Cluster),
    Child {
        child: Child,
        stop_signal: i32,
        recipe: Recipe,
    },
}

/// How to start a service's process again: its program, arguments and environment.
struct Recipe {
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

    fn command(&self) -> Command {
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
    process: Process,
    /// Declared after `process`: a group can only be removed once its processes are gone.
    pub cgroup: Option<Cgroup>,
    /// How many times the stack has started it again after it died.
    pub restarts: u32,
}

/// A running stack: PostgreSQL, the API instances and NGINX, in start order; for 2025, the
/// payment processors too, outside the envelope.
pub struct Stack {
    pub edition: Edition,
    pub profile: Profile,
    pub port: u16,
    pub services: Vec<Service>,
    /// 2025: the processors this stack started (none when it was given their URLs).
    pub processors: Vec<Service>,
    /// 2025: where the processors answer (default, fallback).
    pub processor_urls: Option<[String; 2]>,
    /// How the envelope is enforced, or why it is not.
    pub enforcement: String,
    /// The unprivileged account the services run as when the launcher runs as root.
    user: Option<Unprivileged>,
    postgres: tokio_postgres::Config,
    cgroups: Option<Cgroups>,
}

impl Stack {
    /// What each service's cgroup has counted so far, in the order of `services`.
    pub fn samples(&self) -> Vec<Sample> {
        self.services
            .iter()
            .map(|s| Sample::of(s.cgroup.as_ref()))
            .collect()
    }

    /// Starts every service and returns once the API answers through the port
    /// (`GET /clientes/1/extrato`, or `GET /payments-summary` for 2025). A failure stops
    /// whatever had started.
    pub async fn start(options: &Options) -> Result<Self, StackError> {
        let envelope = Envelope::contest(options.edition).scaled(options.cpu_scale);
        let user = Unprivileged::when_root()?;
        fresh_state_dir(&options.state_dir)?;
        check_port_free(options.port)?;
        let (cgroups, groups, enforcement) = confinement(&envelope, options);
        let mut groups = groups.into_iter();
        let mut group = move || groups.next().flatten();

        let postgres = start_postgres(options, envelope.postgres, group()).await?;
        let mut stack = Stack {
            edition: options.edition,
            profile: options.profile,
            port: options.port,
            postgres: postgres.config,
            services: vec![postgres.service],
            processors: Vec::new(),
            processor_urls: None,
            enforcement,
            user: user.clone(),
            cgroups,
        };
        let launch = Launch {
            options,
            user: user.as_ref(),
            sockets: api_sockets(
                &mkdir_for(&options.state_dir.join("run"), user.as_ref())?,
                envelope.api.instances,
            ),
            processors: None,
        };
        let launch = if options.edition == Edition::Payments {
            let (urls, started) = launch.processors()?;
            stack.processors = started;
            stack.processor_urls = Some(urls.clone());
            Launch {
                processors: Some(urls),
                ..launch
            }
        } else {
            launch
        };
        for (n, socket) in (1..).zip(&launch.sockets) {
            let service = launch.api(n, socket, envelope.api.each(), group(), &postgres.url)?;
            stack.services.push(service);
        }
        for (service, socket) in stack.services[1..].iter_mut().zip(&launch.sockets) {
            wait_for_socket(service, socket)?;
        }
        stack.services.push(launch.nginx(envelope.nginx, group())?);
        stack.wait_ready()?;
        Ok(stack)
    }

    /// How to reach the stack's database directly.
    pub fn database(&self) -> &tokio_postgres::Config {
        &self.postgres
    }

    /// The unprivileged account the services run as, when the launcher runs as root.
    pub fn account(&self) -> Option<&str> {
        self.user.as_ref().map(|u| u.name.as_str())
    }

    /// The first service found dead: its index, exit status and the end of its log.
    pub fn dead_service(&mut self) -> Option<(usize, ExitStatus, String)> {
        self.services
            .iter_mut()
            .enumerate()
            .find_map(|(index, service)| {
                let status = match &mut service.process {
                    Process::Postgres(cluster) => cluster.try_wait(),
                    Process::Child { child, .. } => child.try_wait(),
                };
                let status = status.ok().flatten()?;
                Some((index, status, log_tail(&service.log)))
            })
    }

    /// A processor this stack started that has died: the stack cannot go on without it.
    pub fn dead_processor(&mut self) -> Option<StackError> {
        self.processors.iter_mut().find_map(|service| {
            let Process::Child { child, .. } = &mut service.process else {
                return None;
            };
            let status = child.try_wait().ok().flatten()?;
            Some(StackError::Died {
                name: service.name.clone(),
                status,
                log: log_tail(&service.log),
            })
        })
    }

    /// Starts a dead service's process again, in the same cgroup, logging to the same file.
    /// PostgreSQL only in the durable profile, where it recovers every committed row from
    /// its log; a contest cluster loses its unlogged tables in a crash, so the stack that
    /// lost them is not the stack being measured.
    pub fn restart(&mut self, index: usize) -> Result<(), StackError> {
        let user = self.user.as_ref();
        let service = &mut self.services[index];
        match &mut service.process {
            Process::Child {
                child,
                stop_signal,
                recipe,
            } => {
                *child = spawn_confined(
                    recipe.command(),
                    &service.log,
                    service.cgroup.as_ref(),
                    user,
                    *stop_signal,
                )
                .map_err(|e| StackError::Io(format!("cannot restart {}", service.name), e))?;
                service.pid = child.id();
            }
            Process::Postgres(cluster) if self.profile == Profile::Durable => {
                cluster.respawn(service.cgroup.as_ref())?;
                service.pid = cluster.pid();
            }
            Process::Postgres(_) => return Err(StackError::NotRestartable(service.name.clone())),
        }
        service.restarts += 1;
        Ok(())
    }

    /// Stops every service, last started first, and removes the cgroups.
    pub fn stop(self) {
        drop(self);
    }

    fn wait_ready(&mut self) -> Result<(), StackError> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some((index, status, log)) = self.dead_service() {
                let name = self.services[index].name.clone();
                return Err(StackError::Died { name, status, log });
            }
            if answers(self.port, self.edition) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(StackError::NotReady(READY_TIMEOUT));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        while let Some(service) = self.services.pop() {
            service.stop();
        }
        while let Some(processor) = self.processors.pop() {
            processor.stop();
        }
        // The parent group goes last, once every service's own group is gone.
        drop(self.cgroups.take());
    }
}

impl Service {
    fn stop(self) {
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

/// The cgroups of every service, in start order, or `None`s and the reason.
fn confinement(
    envelope: &Envelope,
    options: &Options,
) -> (Option<Cgroups>, Vec<Option<Cgroup>>, String) {
    let services = envelope.services();
    let unlimited = |reason: String| (None, services.iter().map(|_| None).collect(), reason);
    if !options.enforce {
        return unlimited("not enforced (--unlimited): every service runs without limits".into());
    }
    let attempt = Cgroups::new().and_then(|cgroups| {
        let groups = services
            .iter()
            .map(|(name, limits)| cgroups.service(name, *limits).map(Some))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((cgroups, groups))
    });
    match attempt {
        Ok((cgroups, groups)) => {
            let how = format!("enforced with {}", cgroups.describe());
            let how = if options.cpu_scale < 1.0 {
                format!("{how}, every CPU quota scaled by {}", options.cpu_scale)
            } else {
                how
            };
            (Some(cgroups), groups, how)
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot enforce the envelope: every service runs without limits");
            unlimited(format!(
                "NOT ENFORCED: every service runs without limits, because\n  {e}"
            ))
        }
    }
}

/// Empties the state directory, refusing one that is not a stack's.
fn fresh_state_dir(dir: &Path) -> Result<(), StackError> {
    let io = |what: &str| {
        let what = format!("{what} {}", dir.display());
        move |e| StackError::Io(what, e)
    };
    if dir.exists() {
        let empty = fs::read_dir(dir)
            .map_err(io("cannot read"))?
            .next()
            .is_none();
        if !empty && !dir.join(MARKER).exists() {
            return Err(StackError::ForeignStateDir(dir.to_owned()));
        }
        fs::remove_dir_all(dir).map_err(io("cannot empty"))?;
    }
    fs::create_dir_all(dir.join("logs")).map_err(io("cannot create"))?;
    File::create(dir.join(MARKER)).map_err(io("cannot mark"))?;
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).map_err(io("cannot open"))
}

pub(super) fn check_port_free(port: u16) -> Result<(), StackError> {
    TcpListener::bind((Ipv4Addr::UNSPECIFIED, port))
        .map(drop)
        .map_err(|e| StackError::PortInUse(port, e))
}

/// Creates a directory the services' account may write to.
fn mkdir_for(dir: &Path, user: Option<&Unprivileged>) -> Result<PathBuf, StackError> {
    fs::create_dir_all(dir)
        .map_err(|e| StackError::Io(format!("cannot create {}", dir.display()), e))?;
    if let Some(user) = user {
        user.own(dir).map_err(|e| {
            StackError::Io(format!("cannot give {} to {}", dir.display(), user.name), e)
        })?;
    }
    Ok(dir.to_owned())
}

struct Postgres {
    service: Service,
    url: String,
    config: tokio_postgres::Config,
}

async fn start_postgres(
    options: &Options,
    limits: Limits,
    cgroup: Option<Cgroup>,
) -> Result<Postgres, StackError> {
    let dir = options.state_dir.join("postgres");
    let conf = dir.join("postgresql.conf");
    let write = |path: PathBuf, text: &str| {
        fs::write(&path, text)
            .map_err(|e| StackError::Io(format!("cannot write {}", path.display()), e))
    };
    fs::create_dir_all(&dir)
        .map_err(|e| StackError::Io(format!("cannot create {}", dir.display()), e))?;
    write(conf.clone(), SERVER_CONF)?;
    write(dir.join("profile.conf"), options.profile.server_conf())?;
    let config_file = conf.display().to_string();
    let cluster = Cluster::start(&dir, &[("config_file", &config_file)], cgroup.as_ref()).await?;
    cluster
        .create_database(DATABASE, options.edition, options.profile)
        .await?;
    Ok(Postgres {
        url: cluster.url(DATABASE),
        config: cluster.config(DATABASE),
        service: Service {
            name: "postgres".into(),
            pid: cluster.pid(),
            limits,
            address: format!("unix:{}", cluster.socket_dir().display()),
            metrics: None,
            log: cluster.log().to_owned(),
            process: Process::Postgres(cluster),
            cgroup,
            restarts: 0,
        },
    })
}

fn api_sockets(run: &Path, instances: u8) -> Vec<PathBuf> {
    (1..=instances)
        .map(|n| run.join(format!("api{n}.sock")))
        .collect()
}

/// What every service but PostgreSQL is started with.
pub(super) struct Launch<'a> {
    pub(super) options: &'a Options,
    pub(super) user: Option<&'a Unprivileged>,
    /// The API instances' sockets, in instance order.
    sockets: Vec<PathBuf>,
    /// 2025: the processors' URLs (default, fallback) the instances pay through.
    processors: Option<[String; 2]>,
}

/// A service about to start: its name, envelope and group, how to stop it, where it listens.
pub(super) struct Spec {
    pub(super) name: String,
    pub(super) limits: Limits,
    pub(super) cgroup: Option<Cgroup>,
    pub(super) stop_signal: i32,
    pub(super) address: String,
}

impl Launch<'_> {
    fn api(
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
            .args(["--listen", &address])
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
        let stop_signal = libc::SIGTERM;
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

    fn nginx(&self, limits: Limits, cgroup: Option<Cgroup>) -> Result<Service, StackError> {
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
        let child = spawn_confined(command, &log, cgroup.as_ref(), self.user, stop_signal)
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

/// Starts `command` in `cgroup` as `user`, its output appended to `log`.
fn spawn_confined(
    mut command: Command,
    log: &Path,
    cgroup: Option<&Cgroup>,
    user: Option<&Unprivileged>,
    stop_signal: i32,
) -> std::io::Result<Child> {
    let file = fs::OpenOptions::new().create(true).append(true).open(log)?;
    command
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file);
    confine(&mut command, cgroup, user, stop_signal);
    command.spawn()
}

/// The NGINX configuration of this repository with the port and the instances' sockets.
/// NGINX's graceful shutdown.
pub const NGINX_STOP: i32 = libc::SIGQUIT;

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

/// Whether whatever listens on `port` answers the edition's cheapest read with a 200: how
/// a stack, or the floor standing in for one, shows it is ready.
pub fn answers(port: u16, edition: Edition) -> bool {
    let probe = match edition {
        Edition::Bank => "/clientes/1/extrato",
        Edition::Payments => "/payments-summary",
    };
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    matches!(http::request(address, "GET", probe, None), Ok((200, _)))
}

fn nginx_conf(port: u16, sockets: &[PathBuf]) -> String {
    let servers: Vec<String> = sockets
        .iter()
        .map(|s| format!("        server unix:{};", s.display()))
        .collect();
    include_str!("../../nginx/nginx.conf")
        .replace("@port@", &port.to_string())
        .replace("@servers@", &servers.join("\n"))
}

fn wait_for_socket(service: &mut Service, socket: &Path) -> Result<(), StackError> {
    let deadline = Instant::now() + READY_TIMEOUT;
    while UnixStream::connect(socket).is_err() {
        if let Process::Child { child, .. } = &mut service.process
            && let Ok(Some(status)) = child.try_wait()
        {
            let log = log_tail(&service.log);
            return Err(StackError::Died {
                name: service.name.clone(),
                status,
                log,
            });
        }
        if Instant::now() >= deadline {
            return Err(StackError::NotReady(READY_TIMEOUT));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
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
