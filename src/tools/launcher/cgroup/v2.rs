//! Whether this process may divide its group of the unified hierarchy (cgroup v2) among the
//! services, and what to do when it may not. Two rules of v2 decide it: a group hands its
//! controllers down to children only while it holds no process itself, and a process is
//! moved only by one who may write the common ancestor of both groups. A launcher started
//! from a shell on a systemd host shares a session or service scope with that shell and its
//! make, so it may not divide it; it asks systemd for a scope of its own instead, delegated
//! to it, which is how systemd hands a subtree over (<https://systemd.io/CGROUP_DELEGATION/>).

use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::{CgroupError, create_dir, write};

/// The controllers every service's limits need.
const NEEDED: [&str; 2] = ["cpu", "memory"];

/// What a group offers and holds, as its own files say.
#[derive(Debug)]
pub struct Group {
    pub dir: PathBuf,
    /// `cgroup.controllers`: what its parent lets it hand down.
    pub controllers: String,
    /// `cgroup.procs`: the processes in it, one pid a line.
    pub procs: String,
    /// Whether this process may create groups in it and enable its controllers.
    pub writable: bool,
}

impl Group {
    pub fn read(dir: PathBuf) -> Self {
        let read = |file| fs::read_to_string(dir.join(file)).unwrap_or_default();
        Self {
            controllers: read("cgroup.controllers"),
            procs: read("cgroup.procs"),
            writable: writable(&dir) && writable(&dir.join("cgroup.subtree_control")),
            dir,
        }
    }

    /// The needed controllers it does not offer.
    pub fn missing(&self) -> Vec<&'static str> {
        NEEDED
            .into_iter()
            .filter(|c| !self.controllers.split_whitespace().any(|x| x == *c))
            .collect()
    }

    /// How many processes it holds besides `pid`.
    fn others(&self, pid: u32) -> usize {
        let pid = pid.to_string();
        self.procs.lines().filter(|p| p.trim() != pid).count()
    }
}

/// The machine as far as this decision goes.
#[derive(Debug, Clone, Copy)]
pub struct Host {
    pub pid: u32,
    pub root: bool,
    /// systemd is the init (`/run/systemd/system` exists) and can delegate a scope.
    pub systemd: bool,
    /// This process already sits in the scope systemd delegated to it.
    pub delegated: bool,
}

impl Host {
    pub fn this() -> Self {
        Self {
            pid: std::process::id(),
            root: nix::unistd::geteuid().is_root(),
            systemd: Path::new("/run/systemd/system").is_dir(),
            delegated: false,
        }
    }

    /// The same host, once systemd has moved this process into its delegated scope.
    pub fn in_its_scope(self) -> Self {
        Self {
            delegated: true,
            ..self
        }
    }
}

#[derive(Debug, PartialEq)]
pub enum Plan {
    /// Divide the group this process is in.
    InPlace,
    /// Ask systemd for a delegated scope (its user manager's when not root), because of `why`.
    Delegate { user: bool, why: String },
    /// No group to divide here, and why, with what would give one.
    Refuse(String),
}

pub fn plan(group: &Group, host: Host) -> Plan {
    let dir = group.dir.display();
    let missing = group.missing();
    let others = group.others(host.pid);
    let why = if !missing.is_empty() {
        format!(
            "{dir} does not offer the {} controller (it offers: {})",
            missing.join(" and "),
            group.controllers.trim()
        )
    } else if !group.writable {
        format!("{dir} is not writable by this process")
    } else if others > 0 {
        format!(
            "{dir} holds {others} other process(es), and a cgroup v2 group with processes cannot hand its controllers down"
        )
    } else {
        return Plan::InPlace;
    };
    if host.systemd && !host.delegated {
        return Plan::Delegate {
            user: !host.root,
            why,
        };
    }
    let remedy = if !host.systemd {
        ", and there is no systemd to delegate a scope: start it as the only process of a \
         writable group that offers cpu and memory"
    } else if !host.root && !missing.is_empty() {
        ": systemd's user manager delegates no more to users (systemd before 252 keeps cpu \
         back); run it as root, or add `Delegate=pids memory cpu` to a drop-in of user@.service"
    } else {
        ""
    };
    Plan::Refuse(format!("{why}{remedy}"))
}

/// Creates `own/name` with the cpu and memory controllers enabled for its children, once
/// `plan` said `own` may be divided. The launcher first moves into a leaf of its own
/// (`own/name-launcher`), since `own` may hand controllers down only once it is empty.
pub fn divide(own: &Path, name: &str) -> Result<PathBuf, CgroupError> {
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

/// Whether this process, with its effective ids, may write `path`.
fn writable(path: &Path) -> bool {
    let Ok(path) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a NUL-terminated path that faccessat only reads.
    unsafe { libc::faccessat(libc::AT_FDCWD, path.as_ptr(), libc::W_OK, libc::AT_EACCESS) == 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: Host = Host {
        pid: 1290,
        root: true,
        systemd: true,
        delegated: false,
    };
    const USER: Host = Host {
        root: false,
        ..ROOT
    };

    fn group(dir: &str, controllers: &str, procs: &str, writable: bool) -> Group {
        Group {
            dir: PathBuf::from(dir),
            controllers: controllers.into(),
            procs: procs.into(),
            writable,
        }
    }

    /// A login shell's session on Debian 12: memory and pids only, the shell and make
    /// beside the launcher, and the scope belongs to root.
    fn session() -> Group {
        group(
            "/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope",
            "memory pids\n",
            "812\n1034\n1290\n",
            false,
        )
    }

    /// A CI step run as root in a service's group with every controller: the runner's
    /// processes are there too.
    fn service() -> Group {
        group(
            "/sys/fs/cgroup/system.slice/runner.service",
            "cpuset cpu io memory pids\n",
            "655\n1201\n1290\n",
            true,
        )
    }

    /// The scope systemd delegated to the launcher: everything, and the launcher alone.
    fn scope() -> Group {
        group(
            "/sys/fs/cgroup/system.slice/rinha-stack-1290.scope",
            "cpuset cpu io memory pids\n",
            "1290\n",
            true,
        )
    }

    /// Whom `plan` asks for a scope (the user manager?), and why; a panic if it does not.
    fn delegation(group: &Group, host: Host) -> (bool, String) {
        match plan(group, host) {
            Plan::Delegate { user, why } => (user, why),
            other => panic!("{other:?}"),
        }
    }

    /// Why `plan` refuses; a panic if it does not.
    fn refusal(group: &Group, host: Host) -> String {
        match plan(group, host) {
            Plan::Refuse(reason) => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_login_session_asks_the_user_manager_for_a_scope() {
        let (user, why) = delegation(&session(), USER);
        assert!(user);
        assert!(why.contains("does not offer the cpu controller"), "{why}");
    }

    #[test]
    fn root_in_a_busy_service_group_asks_the_system_manager_for_a_scope() {
        let (user, why) = delegation(&service(), ROOT);
        assert!(!user);
        assert!(why.contains("holds 2 other process(es)"), "{why}");
    }

    #[test]
    fn a_delegated_scope_is_divided_in_place() {
        assert_eq!(plan(&scope(), ROOT.in_its_scope()), Plan::InPlace);
    }

    #[test]
    fn a_user_scope_without_cpu_says_how_to_delegate_it() {
        let scope = group(
            "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/rinha-stack-1290.scope",
            "memory pids\n",
            "1290\n",
            true,
        );
        let reason = refusal(&scope, USER.in_its_scope());
        assert!(reason.contains("cpu controller"), "{reason}");
        assert!(reason.contains("Delegate=pids memory cpu"), "{reason}");
    }

    #[test]
    fn without_systemd_a_busy_group_is_refused_with_the_reason() {
        let host = Host {
            systemd: false,
            ..ROOT
        };
        let reason = refusal(&service(), host);
        assert!(reason.contains("other process(es)"), "{reason}");
        assert!(reason.contains("no systemd"), "{reason}");
    }

    #[test]
    fn a_group_is_read_from_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("cgroup.controllers"),
            "cpu io memory pids\n",
        )
        .unwrap();
        fs::write(dir.path().join("cgroup.procs"), "1290\n").unwrap();
        fs::write(dir.path().join("cgroup.subtree_control"), "").unwrap();
        let group = Group::read(dir.path().to_owned());
        assert!(group.missing().is_empty(), "{group:?}");
        assert_eq!(group.others(1290), 0);
        assert_eq!(group.others(7), 1);
        assert!(group.writable, "{group:?}");
    }
}
