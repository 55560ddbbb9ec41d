//! Playing the floor: NGINX with `k6/floor/nginx.conf` on a free port and, for 2025, two
//! `rinha processor`s on free ports charging the scenario's fees (the scripts set and read
//! them), in a scratch directory, outside any cgroup and as the stack's services' account;
//! then k6, started as for the stack.

use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use super::Floor;
use crate::deadline;
use crate::edition::Edition;
use crate::payments::domain::{Fees, Processor};
use crate::tools::bench::measure::error::{BenchError, io};
use crate::tools::bench::measure::k6::{Invocation, Progress, Seen};
use crate::tools::bench::measure::machine::{CpuTimes, MachineUsage};
use crate::tools::bench::measure::requests::Requests;
use crate::tools::bench::measure::scenario::Scenario;
use crate::tools::launcher::Unprivileged;
use crate::tools::launcher::process::{self, log_tail, stop};
use crate::tools::stack::{NGINX_STOP, StackError, answers, nginx_command, processors};

/// The floor's NGINX: a template whose `@port@` is filled in here.
const NGINX_CONF: &str = include_str!("../../../../../k6/floor/nginx.conf");
const READY_TIMEOUT: Duration = Duration::from_secs(10);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Plays `scenario` against the floor; the 2025 processors charge `fees`. Returns the
/// floor's figures and its requests second by second.
pub async fn play(
    scenario: Scenario,
    k6: &Path,
    fees: Fees,
) -> Result<(Floor, Requests), BenchError> {
    let scratch = Scratch::create()?;
    let user = Unprivileged::when_root().map_err(StackError::from)?;
    if let Some(user) = &user {
        let what = format!("cannot give {} to {}", scratch.0.display(), user.name);
        user.own(&scratch.0).map_err(io(what))?;
    }
    let mut running = Vec::new();
    let processors = match scenario.edition() {
        Edition::Bank => None,
        Edition::Payments => Some(start_processors(
            &scratch,
            user.as_ref(),
            fees,
            &mut running,
        )?),
    };
    let port = free_port()?;
    let nginx = start_nginx(&scratch, user.as_ref(), port, scenario.edition()).await?;
    let nginx_pid = nginx.child.id();
    running.push(nginx);
    let base_url = format!("http://localhost:{port}");
    let invocation = Invocation {
        scenario,
        base_url: &base_url,
        processors: processors.as_ref(),
        dir: &scratch.0.join("k6"),
        log: &scratch.0.join("k6.log"),
        summary: &scratch.0.join("summary.json"),
        dashboard: None,
    };
    let (command, csv) = invocation.command(k6)?;
    let before = (CpuTimes::now(), cpu_seconds(nginx_pid));
    let started = Instant::now();
    wait_for_k6(command, scenario, &mut running).await?;
    let seconds = started.elapsed().as_secs_f64();
    let after = (CpuTimes::now(), cpu_seconds(nginx_pid));

    let nginx_cpu = before.1.zip(after.1).map(|(b, a)| a - b);
    let machine =
        (before.0.zip(after.0)).and_then(|(b, a)| MachineUsage::between(b, a, seconds, nginx_cpu));
    let seen = read_summary(&invocation)?;
    let requests = Requests::from_csv_gz(&csv, &base_url).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "cannot read the floor's time series: the page draws no floor line");
        Requests::default()
    });
    Ok((
        Floor::new(seen, seconds, nginx_cpu, machine.as_ref()),
        requests,
    ))
}

/// Runs k6 to its end, with its progress line, unless a process of the floor dies. The
/// bank's checks fail here (every statement is empty), so k6's exit status says nothing;
/// its summary is what counts.
async fn wait_for_k6(
    mut command: Command,
    scenario: Scenario,
    running: &mut [Running],
) -> Result<(), BenchError> {
    let mut k6 = command.spawn().map_err(io("cannot start k6"))?;
    let mut progress = Progress::new(format!("floor {}", scenario.name()), scenario.expected());
    while k6.try_wait().map_err(io("cannot wait for k6"))?.is_none() {
        if let Some(died) = running.iter_mut().find_map(Running::died) {
            let _ = k6.kill();
            let _ = k6.wait();
            return Err(died);
        }
        progress.show(String::new);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    progress.finish();
    Ok(())
}

/// What k6 saw, from the summary it wrote.
fn read_summary(invocation: &Invocation) -> Result<Seen, BenchError> {
    let path = invocation.summary;
    let mut text = fs::read(path).map_err(|_| {
        let log = log_tail(invocation.log);
        BenchError::Floor(format!("k6 wrote no summary; its log ends with:\n{log}"))
    })?;
    let summary = simd_json::to_owned_value(&mut text)
        .map_err(|e| BenchError::Summary(path.to_owned(), e.to_string()))?;
    Seen::read(&summary).map_err(|e| BenchError::Summary(path.to_owned(), e))
}

/// A directory of its own for the floor's files, removed with everything in it at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn create() -> Result<Self, BenchError> {
        let dir = std::env::temp_dir().join(format!("rinha-floor-{}", std::process::id()));
        fs::create_dir_all(&dir).map_err(io(format!("cannot create {}", dir.display())))?;
        Ok(Self(dir))
    }

    fn log(&self, name: &str) -> PathBuf {
        self.0.join(format!("{name}.log"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A process of the floor, stopped with `signal` when dropped.
struct Running {
    name: &'static str,
    child: Child,
    signal: Signal,
    log: PathBuf,
}

impl Running {
    /// Starts `command` as `user`, its output in the scratch directory's `<name>.log`.
    fn start(
        command: Command,
        name: &'static str,
        signal: Signal,
        scratch: &Scratch,
        user: Option<&Unprivileged>,
    ) -> Result<Self, BenchError> {
        let log = scratch.log(name);
        let child = process::spawn(command, &log, None, user, signal)
            .map_err(io(format!("cannot start the floor's {name}")))?;
        Ok(Self {
            name,
            child,
            signal,
            log,
        })
    }

    /// An error when it has died.
    fn died(&mut self) -> Option<BenchError> {
        self.child.try_wait().ok().flatten().map(|status| {
            let log = log_tail(&self.log);
            BenchError::Floor(format!("the floor's {} died ({status}):\n{log}", self.name))
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        stop(&mut self.child, self.signal, STOP_TIMEOUT);
    }
}

fn start_processors(
    scratch: &Scratch,
    user: Option<&Unprivileged>,
    fees: Fees,
    processes: &mut Vec<Running>,
) -> Result<[String; 2], BenchError> {
    let mut urls = Vec::new();
    for (processor, name) in [
        (Processor::Default, "default"),
        (Processor::Fallback, "fallback"),
    ] {
        let port = free_port()?;
        let command = processors::command(port, fees.of(processor))?;
        processes.push(Running::start(
            command,
            name,
            Signal::SIGTERM,
            scratch,
            user,
        )?);
        processors::wait_for_port(port)?;
        urls.push(format!("http://127.0.0.1:{port}"));
    }
    Ok([urls[0].clone(), urls[1].clone()])
}

async fn start_nginx(
    scratch: &Scratch,
    user: Option<&Unprivileged>,
    port: u16,
    edition: Edition,
) -> Result<Running, BenchError> {
    let conf = scratch.0.join("nginx.conf");
    fs::write(&conf, NGINX_CONF.replace("@port@", &port.to_string()))
        .map_err(io(format!("cannot write {}", conf.display())))?;
    let command = nginx_command(&scratch.0, &conf)?;
    let mut nginx = Running::start(command, "nginx", NGINX_STOP, scratch, user)?;
    deadline::poll_async(READY_TIMEOUT, Duration::from_millis(50), async || {
        if answers(port, edition).await {
            return Some(Ok(()));
        }
        nginx.died().map(Err)
    })
    .await
    .unwrap_or(Err(StackError::NotReady(READY_TIMEOUT).into()))?;
    Ok(nginx)
}

/// A port nothing listens on now, as the kernel picks one.
fn free_port() -> Result<u16, BenchError> {
    let listener =
        TcpListener::bind((Ipv4Addr::UNSPECIFIED, 0)).map_err(io("cannot find a free port"))?;
    let port = listener
        .local_addr()
        .map_err(io("cannot find a free port"))?
        .port();
    Ok(port)
}

/// The CPU time so far of process `pid` and its children (NGINX's master and its workers),
/// in seconds, from `/proc`.
fn cpu_seconds(pid: u32) -> Option<f64> {
    // SAFETY: sysconf has no preconditions.
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let mut ticks = 0;
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let Some(id) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Some((parent, spent)) = fs::read_to_string(entry.path().join("stat"))
            .ok()
            .and_then(|stat| times(&stat))
        else {
            continue;
        };
        if id == pid || parent == pid {
            ticks += spent;
        }
    }
    (ticks_per_second > 0.0).then(|| ticks as f64 / ticks_per_second)
}

/// A process's parent and the clock ticks it has spent (user and system), from its
/// `/proc/<pid>/stat`. The command's name comes second, in parentheses, and may hold spaces
/// and parentheses itself: the fields are counted from the last `)`.
fn times(stat: &str) -> Option<(u32, u64)> {
    let (_, rest) = stat.rsplit_once(')')?;
    // From the state (field 3): the parent is field 4, utime and stime fields 14 and 15.
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let parent = fields.get(1)?.parse().ok()?;
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some((parent, user + system))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_stat_gives_its_parent_and_its_ticks_whatever_its_name() {
        let stat = "18868 (nginx: (worker) x) S 18867 18867 18867 0 -1 4194624 1302 0 0 0 \
                    250 75 0 0 20 0 1 0 1234567 11198464 1024 18446744073709551615 1 1 0 0 0 0 \
                    0 1073741824 402745863 0 0 0 17 1 0 0 0 0 0\n";

        assert_eq!(times(stat), Some((18867, 325)));
        assert_eq!(times("18868 (nginx) S"), None);
    }

    #[test]
    fn this_process_spends_cpu_time() {
        assert!(cpu_seconds(std::process::id()).is_some_and(|s| s >= 0.0));
    }
}
