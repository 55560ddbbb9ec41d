//! A scope of its own from systemd, with its cgroup delegated to this process: the D-Bus call
//! that `systemd-run --scope -p Delegate=yes` makes for the command it starts, made here with
//! `busctl` for this very process, so that the launcher keeps running where it is. As root
//! the system manager answers; otherwise the user's own manager, which asks the system
//! manager to move the process into the user's subtree.

use std::fs;
use std::process::Command;
use std::time::Duration;

use crate::deadline;

/// How long systemd may take to run the job that moves the process.
const MOVE_TIMEOUT: Duration = Duration::from_secs(5);

/// The scope of the launcher with this pid.
pub fn unit(pid: u32) -> String {
    format!("rinha-stack-{pid}.scope")
}

/// `busctl` arguments that start `unit(pid)` holding `pid`, delegated, collected when it ends.
fn start_scope(user: bool, pid: u32) -> Vec<String> {
    let mut args: Vec<String> = user.then(|| "--user".to_owned()).into_iter().collect();
    args.extend(
        [
            "call",
            "org.freedesktop.systemd1",
            "/org/freedesktop/systemd1",
            "org.freedesktop.systemd1.Manager",
            "StartTransientUnit",
            "ssa(sv)a(sa(sv))",
            &unit(pid),
            "fail",
            "4",
            "Description",
            "s",
            "rinha stack: its services' cgroups",
            "PIDs",
            "au",
            "1",
            &pid.to_string(),
            "Delegate",
            "b",
            "true",
            "CollectMode",
            "s",
            "inactive-or-failed",
            "0",
        ]
        .map(str::to_owned),
    );
    args
}

/// Moves this process (`pid`) into a delegated scope of its own, and returns once the
/// kernel shows it there.
pub fn delegate(user: bool, pid: u32) -> Result<(), String> {
    let output = Command::new("busctl")
        .args(start_scope(user, pid))
        .output()
        .map_err(|e| format!("cannot run busctl: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "busctl: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    // The call queues a job; systemd moves the process when it runs it.
    let unit = unit(pid);
    let moved = || {
        let membership = fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        in_unit(&membership, &unit).then_some(())
    };
    deadline::poll(MOVE_TIMEOUT, Duration::from_millis(20), moved)
        .ok_or_else(|| format!("systemd did not move it into {unit} within {MOVE_TIMEOUT:?}"))
}

/// Whether `/proc/self/cgroup` puts the process in `unit`'s group of the unified hierarchy.
fn in_unit(membership: &str, unit: &str) -> bool {
    membership
        .lines()
        .filter_map(|line| line.strip_prefix("0::"))
        .any(|path| path.trim_end().rsplit('/').next() == Some(unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_holds_the_launcher_and_is_delegated_to_it() {
        let args = start_scope(false, 1290);
        let call = args.join(" ");
        assert!(
            call.starts_with("call org.freedesktop.systemd1 /org/freedesktop/systemd1"),
            "{call}"
        );
        assert!(
            call.contains("ssa(sv)a(sa(sv)) rinha-stack-1290.scope fail 4 "),
            "{call}"
        );
        assert!(call.contains(" PIDs au 1 1290 "), "{call}");
        assert!(call.contains(" Delegate b true "), "{call}");
        assert!(call.ends_with(" 0"), "{call}");
    }

    #[test]
    fn a_user_asks_its_own_manager_the_same() {
        let user = start_scope(true, 7);
        assert_eq!(user[0], "--user");
        assert_eq!(user[1..], start_scope(false, 7)[..]);
    }

    #[test]
    fn the_move_is_seen_in_the_unified_hierarchy_only() {
        let unit = unit(1290);
        assert!(in_unit("0::/system.slice/rinha-stack-1290.scope\n", &unit));
        assert!(in_unit(
            "0::/user.slice/user-1000.slice/user@1000.service/app.slice/rinha-stack-1290.scope\n",
            &unit
        ));
        assert!(!in_unit(
            "0::/user.slice/user-1000.slice/session-3.scope\n",
            &unit
        ));
        assert!(!in_unit(
            "1:name=systemd:/rinha-stack-1290.scope\n0::/\n",
            &unit
        ));
    }
}
