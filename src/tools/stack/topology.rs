//! The stack as a whole: its services started in order, each in its group, watched, started
//! again when they die, and stopped last first.

use std::fs::{self, File};
use std::path::Path;
use std::process::ExitStatus;
use std::time::Duration;

use super::api::{api_sockets, wait_for_socket};
use super::nginx::answers;
use super::options::{Balancer, Options};
use super::postgres::start_postgres;
use super::service::{Launch, Process, READY_TIMEOUT, Service, check_port_free, mkdir_for};
use super::{Envelope, Sample, StackError};
use crate::db::Profile;
use crate::deadline;
use crate::edition::Edition;
use crate::tools::launcher::Unprivileged;
use crate::tools::launcher::cgroup::{Cgroup, Cgroups};
use crate::tools::launcher::process::{self, log_tail};

/// Marks a directory as a stack's state, which a new stack may wipe.
const MARKER: &str = ".rinha-stack";

/// A running stack: PostgreSQL, the API instances and NGINX, in start order; for 2025, the
/// payment processors too, outside the envelope.
pub struct Stack {
    pub edition: Edition,
    pub profile: Profile,
    pub port: u16,
    /// What stands on the port in front of the instances.
    pub balancer: Balancer,
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
            balancer: options.balancer,
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
        let balancer = match options.balancer {
            Balancer::Nginx => launch.nginx(envelope.balancer, group())?,
            Balancer::Handoff => launch.balancer(envelope.balancer, group())?,
        };
        stack.services.push(balancer);
        stack.wait_ready().await?;
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
                *child = process::spawn(
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

    async fn wait_ready(&mut self) -> Result<(), StackError> {
        let every = Duration::from_millis(100);
        deadline::poll_async(READY_TIMEOUT, every, async || {
            if let Some((index, status, log)) = self.dead_service() {
                let name = self.services[index].name.clone();
                return Some(Err(StackError::Died { name, status, log }));
            }
            answers(self.port, self.edition).await.then_some(Ok(()))
        })
        .await
        .unwrap_or(Err(StackError::NotReady(READY_TIMEOUT)))
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

/// The cgroups of every service, in start order, or `None`s and the reason.
fn confinement(
    envelope: &Envelope,
    options: &Options,
) -> (Option<Cgroups>, Vec<Option<Cgroup>>, String) {
    let services = envelope.services(options.balancer);
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
