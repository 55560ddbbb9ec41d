//! Enforcing a service's CPU quota and memory limit with a cgroup of its own: cgroup v2
//! where a unified hierarchy offers the `cpu` and `memory` controllers, v1 (`cpu`,
//! `cpuacct`, `memory`) otherwise. Groups are made under this process's own groups, in a
//! parent named `rinha-<pid>`, and removed when dropped (after their processes are gone).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::stack::Limits;

/// The CFS period the quota is a fraction of, in microseconds (the kernel's default).
const PERIOD_US: u64 = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    #[error("no cgroup hierarchy with the cpu and memory controllers is mounted")]
    NotMounted,
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
        let mountinfo = fs::read_to_string("/proc/self/mountinfo")
            .map_err(io_err("read /proc/self/mountinfo"))?;
        let membership =
            fs::read_to_string("/proc/self/cgroup").map_err(io_err("read /proc/self/cgroup"))?;
        let name = format!("rinha-{}", std::process::id());
        if let Some(own) = v2_dir(&mountinfo, &membership) {
            return Ok(Self {
                layout: Layout::V2 {
                    parent: v2_parent(&own, &name)?,
                },
            });
        }
        let dir =
            |controller| v1_dir(&mountinfo, &membership, controller).ok_or(CgroupError::NotMounted);
        let (cpu, cpuacct, memory) = (dir("cpu")?, dir("cpuacct")?, dir("memory")?);
        let layout = Layout::V1 {
            cpu: cpu.join(&name),
            cpuacct: cpuacct.join(&name),
            memory: memory.join(&name),
        };
        for d in layout.dirs() {
            create_dir(&d)?;
        }
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

/// Mount point and root of each mount of `fstype`, with its super options.
fn mounts<'a>(
    mountinfo: &'a str,
    fstype: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> {
    mountinfo.lines().filter_map(move |line| {
        let (left, right) = line.split_once(" - ")?;
        let mut fields = left.split(' ');
        let root = fields.nth(3)?;
        let mount_point = fields.next()?;
        let mut right = right.split(' ');
        (right.next()? == fstype).then_some(())?;
        let options = right.nth(1).unwrap_or_default();
        Some((mount_point, root, options))
    })
}

/// The directory of a cgroup path in a hierarchy mounted at `mount_point` from `root`.
fn join(mount_point: &str, root: &str, path: &str) -> PathBuf {
    let relative = path
        .strip_prefix(root)
        .unwrap_or(path)
        .trim_start_matches('/');
    Path::new(mount_point).join(relative)
}

/// This process's v1 group for `controller`.
fn v1_dir(mountinfo: &str, membership: &str, controller: &str) -> Option<PathBuf> {
    let (mount_point, root, _) = mounts(mountinfo, "cgroup")
        .find(|(_, _, options)| options.split(',').any(|o| o == controller))?;
    let path = membership.lines().find_map(|line| {
        let mut fields = line.splitn(3, ':');
        let _id = fields.next()?;
        fields
            .next()?
            .split(',')
            .any(|c| c == controller)
            .then_some(())?;
        fields.next()
    })?;
    Some(join(mount_point, root, path))
}

/// This process's v2 group, if the unified hierarchy offers both controllers there.
fn v2_dir(mountinfo: &str, membership: &str) -> Option<PathBuf> {
    let (mount_point, root, _) = mounts(mountinfo, "cgroup2").next()?;
    let path = membership
        .lines()
        .find_map(|line| line.strip_prefix("0::"))?;
    let dir = join(mount_point, root, path);
    let controllers = fs::read_to_string(dir.join("cgroup.controllers")).ok()?;
    let has = |c| controllers.split_whitespace().any(|x| x == c);
    (has("cpu") && has("memory")).then_some(dir)
}

/// Creates `own/name` with the cpu and memory controllers enabled for its children. v2 lets
/// a group hand controllers down only while it holds no process itself, so when `own` holds
/// this one, this process first moves into a leaf of its own (`own/name-launcher`).
fn v2_parent(own: &Path, name: &str) -> Result<PathBuf, CgroupError> {
    let enable = |dir: &Path| write(&dir.join("cgroup.subtree_control"), "+cpu +memory");
    if enable(own).is_err() {
        let leaf = own.join(format!("{name}-launcher"));
        create_dir(&leaf)?;
        write(&leaf.join("cgroup.procs"), &std::process::id().to_string())?;
        enable(own)?;
    }
    let parent = own.join(name);
    create_dir(&parent)?;
    enable(&parent)?;
    Ok(parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
42 31 0:39 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";
    const MEMBERSHIP: &str = "4:memory:/process_api/aa82\n2:cpuacct:/\n1:cpu:/\n0::/\n";

    #[test]
    fn v1_groups_are_found_per_controller() {
        assert_eq!(
            v1_dir(HYBRID, MEMBERSHIP, "memory"),
            Some(PathBuf::from("/sys/fs/cgroup/memory/process_api/aa82"))
        );
        assert_eq!(
            v1_dir(HYBRID, MEMBERSHIP, "cpu"),
            Some(PathBuf::from("/sys/fs/cgroup/cpu"))
        );
        assert_eq!(v1_dir(HYBRID, MEMBERSHIP, "pids"), None);
    }

    #[test]
    fn co_mounted_v1_controllers_share_a_directory() {
        let mountinfo =
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
        let membership = "2:cpu,cpuacct:/docker/abc\n";
        let expected = Some(PathBuf::from("/sys/fs/cgroup/cpu,cpuacct/docker/abc"));
        assert_eq!(v1_dir(mountinfo, membership, "cpu"), expected);
        assert_eq!(v1_dir(mountinfo, membership, "cpuacct"), expected);
    }

    #[test]
    fn a_mount_of_a_subtree_is_joined_relative_to_its_root() {
        assert_eq!(
            join("/sys/fs/cgroup", "/docker/abc", "/docker/abc/inner"),
            PathBuf::from("/sys/fs/cgroup/inner")
        );
    }
}
