//! Enforcing a service's CPU quota and memory limit with a cgroup of its own: cgroup v2
//! where a unified hierarchy offers the `cpu` and `memory` controllers (or is the only
//! hierarchy), v1 (`cpu`, `cpuacct`, `memory`) otherwise. Groups are made under this
//! process's own groups, in a parent named `rinha-<pid>`, and removed when dropped (after
//! their processes are gone). Under v2 the own group may be one that systemd delegated to
//! this process for the purpose (`v2`, `systemd`).

mod limits;
mod mounts;
mod systemd;
mod v2;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use limits::{Limits, Throttling};
use v2::{Group, Host, Plan};

/// The CFS period the quota is a fraction of, in microseconds (the kernel's default).
const PERIOD_US: u64 = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    #[error("no cgroup hierarchy with the cpu and memory controllers is mounted")]
    NotMounted,
    #[error("{0}")]
    Unusable(String),
    #[error("cannot {0}")]
    Io(String, #[source] io::Error),
}

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> CgroupError {
    let context = context.into();
    move |e| CgroupError::Io(context, e)
}

#[derive(Debug)]
enum Layout {
    V2 {
        parent: PathBuf,
    },
    V1 {
        cpu: PathBuf,
        cpuacct: PathBuf,
        memory: PathBuf,
    },
}

/// The parent group of one stack's services.
#[derive(Debug)]
pub struct Cgroups {
    layout: Layout,
}

impl Cgroups {
    /// Finds the hierarchy and creates the parent group, or says why it cannot.
    pub fn new() -> Result<Self, CgroupError> {
        let (mountinfo, membership) = own_groups()?;
        let name = format!("rinha-{}", std::process::id());
        let unified = mounts::v2_dir(&mountinfo, &membership);
        let dir = |controller| mounts::v1_dir(&mountinfo, &membership, controller);
        let v1 = dir("cpu").zip(dir("cpuacct")).zip(dir("memory"));
        // A hybrid host mounts the unified hierarchy too, without controllers: v1 rules there.
        let v2_offers = |own: &PathBuf| Group::read(own.clone()).missing().is_empty();
        let layout = match (unified, v1) {
            (Some(own), v1) if v1.is_none() || v2_offers(&own) => Layout::V2 {
                parent: v2::divide(&v2_home(own, Host::this())?, &name)?,
            },
            (_, Some(((cpu, cpuacct), memory))) => {
                let layout = Layout::V1 {
                    cpu: cpu.join(&name),
                    cpuacct: cpuacct.join(&name),
                    memory: memory.join(&name),
                };
                for d in layout.dirs() {
                    create_dir(&d)?;
                }
                layout
            }
            (_, None) => return Err(CgroupError::NotMounted),
        };
        Ok(Self { layout })
    }

    /// `v2 under /sys/fs/cgroup/…/rinha-42`, for the start-up report.
    pub fn describe(&self) -> String {
        match &self.layout {
            Layout::V2 { parent } => format!("cgroup v2 under {}", parent.display()),
            Layout::V1 { cpu, memory, .. } => {
                format!("cgroup v1 under {} and {}", cpu.display(), memory.display())
            }
        }
    }

    /// Creates the group of one service with its limits.
    pub fn service(&self, name: &str, limits: Limits) -> Result<Cgroup, CgroupError> {
        let quota = (limits.cpus * PERIOD_US as f64).round() as u64;
        let memory = limits.memory_bytes().to_string();
        let group = match &self.layout {
            Layout::V2 { parent } => {
                let dir = parent.join(name);
                create_dir(&dir)?;
                write(&dir.join("cpu.max"), &format!("{quota} {PERIOD_US}"))?;
                write(&dir.join("memory.max"), &memory)?;
                let _ = write(&dir.join("memory.swap.max"), "0");
                Cgroup {
                    procs: vec![dir.join("cgroup.procs")],
                    cpu_usage: Usage::V2CpuStat(dir.join("cpu.stat")),
                    cpu_stat: dir.join("cpu.stat"),
                    memory_current: dir.join("memory.current"),
                    memory_peak: dir.join("memory.peak"),
                    memory_events: dir.join("memory.events"),
                    dirs: vec![dir],
                }
            }
            Layout::V1 {
                cpu,
                cpuacct,
                memory: mem,
            } => {
                let (cpu, cpuacct, mem) = (cpu.join(name), cpuacct.join(name), mem.join(name));
                let mut dirs = vec![cpu.clone(), mem.clone()];
                if cpuacct != cpu {
                    dirs.push(cpuacct.clone());
                }
                for d in &dirs {
                    create_dir(d)?;
                }
                write(&cpu.join("cpu.cfs_period_us"), &PERIOD_US.to_string())?;
                write(&cpu.join("cpu.cfs_quota_us"), &quota.to_string())?;
                write(&mem.join("memory.limit_in_bytes"), &memory)?;
                // No swap beyond the limit, where the kernel accounts for swap at all.
                let _ = write(&mem.join("memory.memsw.limit_in_bytes"), &memory);
                Cgroup {
                    procs: dirs.iter().map(|d| d.join("cgroup.procs")).collect(),
                    cpu_usage: Usage::V1Nanoseconds(cpuacct.join("cpuacct.usage")),
                    cpu_stat: cpu.join("cpu.stat"),
                    memory_current: mem.join("memory.usage_in_bytes"),
                    memory_peak: mem.join("memory.max_usage_in_bytes"),
                    memory_events: mem.join("memory.oom_control"),
                    dirs,
                }
            }
        };
        Ok(group)
    }
}

impl Layout {
    fn dirs(&self) -> Vec<PathBuf> {
        match self {
            Self::V2 { parent } => vec![parent.clone()],
            Self::V1 {
                cpu,
                cpuacct,
                memory,
            } => {
                let mut dirs = vec![cpu.clone(), memory.clone()];
                if cpuacct != cpu {
                    dirs.push(cpuacct.clone());
                }
                dirs
            }
        }
    }
}

impl Drop for Cgroups {
    fn drop(&mut self) {
        for d in self.layout.dirs() {
            let _ = fs::remove_dir(d);
        }
    }
}

#[derive(Debug)]
enum Usage {
    V1Nanoseconds(PathBuf),
    V2CpuStat(PathBuf),
}

/// One service's group. A process joins it by writing to its `cgroup.procs` files before
/// it execs (see `launcher::process`), so everything it forks is inside from the start.
#[derive(Debug)]
pub struct Cgroup {
    dirs: Vec<PathBuf>,
    procs: Vec<PathBuf>,
    cpu_usage: Usage,
    /// The CFS bandwidth counters: the cpu controller's `cpu.stat` (both versions).
    cpu_stat: PathBuf,
    memory_current: PathBuf,
    memory_peak: PathBuf,
    /// `key value` lines, one of which is `oom_kill N` (v1: memory.oom_control, Linux 4.13+).
    memory_events: PathBuf,
}

impl Cgroup {
    pub fn procs_files(&self) -> &[PathBuf] {
        &self.procs
    }

    /// CPU time used by the group's processes so far, in seconds.
    pub fn cpu_seconds(&self) -> io::Result<f64> {
        match &self.cpu_usage {
            Usage::V1Nanoseconds(path) => Ok(read_number(path)? as f64 / 1e9),
            Usage::V2CpuStat(path) => {
                let stat = fs::read_to_string(path)?;
                stat.lines()
                    .find_map(|line| line.strip_prefix("usage_usec "))
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(|usec| usec as f64 / 1e6)
                    .ok_or_else(|| io::Error::other(format!("no usage_usec in {}", path.display())))
            }
        }
    }

    /// How often and how long the kernel has held the group back for having spent its quota.
    pub fn throttling(&self) -> io::Result<Throttling> {
        let stat = fs::read_to_string(&self.cpu_stat)?;
        Throttling::parse(&stat).ok_or_else(|| {
            io::Error::other(format!(
                "no throttling counters in {}",
                self.cpu_stat.display()
            ))
        })
    }

    /// The memory the group uses now, in bytes (page cache included, as the limit counts it).
    pub fn current_memory(&self) -> io::Result<u64> {
        read_number(&self.memory_current)
    }

    /// The most memory the group has used at once, in bytes (cgroup v2 needs Linux 5.19).
    pub fn peak_memory(&self) -> io::Result<u64> {
        read_number(&self.memory_peak)
    }

    /// How many of the group's processes the kernel killed for going over its memory limit.
    pub fn oom_kills(&self) -> io::Result<u64> {
        fs::read_to_string(&self.memory_events)?
            .lines()
            .find_map(|line| line.strip_prefix("oom_kill "))
            .and_then(|n| n.trim().parse().ok())
            .ok_or_else(|| {
                io::Error::other(format!("no oom_kill in {}", self.memory_events.display()))
            })
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        for d in &self.dirs {
            let _ = fs::remove_dir(d);
        }
    }
}

fn create_dir(dir: &Path) -> Result<(), CgroupError> {
    match fs::create_dir(dir) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
            Err(CgroupError::Io(format!("create {}", dir.display()), e))
        }
        _ => Ok(()),
    }
}

fn write(path: &Path, value: &str) -> Result<(), CgroupError> {
    fs::write(path, value).map_err(io_err(format!("write {value} to {}", path.display())))
}

fn read_number(path: &Path) -> io::Result<u64> {
    fs::read_to_string(path)?
        .trim()
        .parse()
        .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))
}

/// `/proc/self/mountinfo` and `/proc/self/cgroup`.
fn own_groups() -> Result<(String, String), CgroupError> {
    let read = |path| fs::read_to_string(path).map_err(io_err(format!("read {path}")));
    Ok((read("/proc/self/mountinfo")?, read("/proc/self/cgroup")?))
}

/// The v2 group to divide among the services: this process's own, or the scope systemd
/// delegates to it when its own cannot be divided.
fn v2_home(own: PathBuf, host: Host) -> Result<PathBuf, CgroupError> {
    match v2::plan(&Group::read(own.clone()), host) {
        Plan::InPlace => Ok(own),
        Plan::Delegate { user, why } => {
            systemd::delegate(user, host.pid).map_err(|e| {
                CgroupError::Unusable(format!("{why}, and systemd gave it no scope: {e}"))
            })?;
            let (mountinfo, membership) = own_groups()?;
            let scope = mounts::v2_dir(&mountinfo, &membership).ok_or(CgroupError::NotMounted)?;
            v2_home(scope, host.in_its_scope())
        }
        Plan::Refuse(reason) => Err(CgroupError::Unusable(reason)),
    }
}
